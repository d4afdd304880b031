#!/usr/bin/env bash
# make check-patches over the shipped recipes: every patch list applies with
# --fuzz=0 wherever the source is reachable, and here that includes the two
# releases the Debian pool serves.
. "$(dirname "$0")/../lib.sh"

out=$T_TMP/check-patches.out
if "$ROOT/scripts/build/check-patches" >"$out" 2>&1; then
  pass "every reachable recipe's patches apply with --fuzz=0"
else
  fail "every reachable recipe's patches apply with --fuzz=0" "$(cat "$out")"
fi
for r in ruby/3.3.8 ruby/3.4.5; do
  for v in normal malloctrim jemalloc; do
    check "$r $v was checked here, not skipped" grep -Eq "^$r +$v +ok " "$out"
  done
done
grep 'not checked' "$out" | sed 's/^/  # /' || true

finish
