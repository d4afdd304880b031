#!/usr/bin/env bash
# Every shell script is shellcheck-clean and executable; every C file compiles warning-free.
. "$(dirname "$0")/../lib.sh"

cd "$ROOT"
mapfile -t scripts < <(git ls-files | while read -r f; do
  [ -f "$f" ] || continue
  case $f in *.sh) echo "$f" ;; *.*) ;; *) head -c 64 "$f" | grep -q '^#!.*sh' && echo "$f" ;; esac
done)
# The files are checked one per core at a time (the checker is CPU-bound:
# on 2 cores one at a time took 3 to 4 minutes). A file that passed is not
# checked again while it, the helpers it may source and shellcheck stay the
# same (keyed by their contents, in MEMLEAN_LINT_CACHE, default
# ~/.cache/memlean-lint).
cache=${MEMLEAN_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memlean-lint}
mkdir -p "$cache" "$T_TMP/lint"
context=$({ shellcheck --version; cat scripts/lib.sh scripts/lib/*.sh tests/lib.sh tests/ecosystem/lib; } | sha256sum | cut -d' ' -f1)
keys=()
for i in "${!scripts[@]}"; do
  keys[i]=$(cat "${scripts[i]}" <(echo "$context") | sha256sum | cut -d' ' -f1)
done
# shellcheck disable=SC2016 # the inner sh expands them
for i in "${!scripts[@]}"; do
  [ -e "$cache/${keys[i]}" ] || printf '%s\0%s\0' "$i" "${scripts[i]}"
done | xargs -0 -r -n 2 -P "$(nproc)" sh -c 'shellcheck -x "$2" >"$0/$1.out" 2>&1; echo $? >"$0/$1.rc"' "$T_TMP/lint"
for i in "${!scripts[@]}"; do
  f=${scripts[i]}
  if [ -e "$cache/${keys[i]}" ]; then
    pass "shellcheck $f (unchanged since it passed)"
  elif [ "$(cat "$T_TMP/lint/$i.rc" 2>/dev/null)" = 0 ]; then
    pass "shellcheck $f"
    touch "$cache/${keys[i]}"
  else
    fail "shellcheck $f" "$(cat "$T_TMP/lint/$i.out" 2>/dev/null || echo 'shellcheck did not run')"
  fi
done
# What tests/run and the Makefile start must be executable in git, where a
# clean clone takes its mode from (awk programs and sourced libraries are
# read, not started).
not_executable=$(git ls-files -s scripts tests/unit tests/artifact tests/install tests/images tests/probes .ci |
  awk '$1 != "100755" { print $4 }' | grep -v -e '\.md$' -e '\.awk$' -e '/lib\.sh$' -e '^scripts/lib/' || true)
expect "every script and test file is executable in git" "$not_executable" ""
check "tools/memlean-probe.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -fPIC -shared -o "$T_TMP/probe.so" tools/memlean-probe.c -ldl

check "tools/memlean-sampler.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/sampler" tools/memlean-sampler.c
check "tools/memlean-reprefix.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/reprefix" tools/memlean-reprefix.c
check "tests/fixtures/alloc-pattern.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/alloc" tests/fixtures/alloc-pattern.c

finish
