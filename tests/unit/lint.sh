#!/usr/bin/env bash
# Every shell script is shellcheck-clean and executable; every C file compiles warning-free.
. "$(dirname "$0")/../lib.sh"

cd "$ROOT"
mapfile -t scripts < <(git ls-files | while read -r f; do
  [ -f "$f" ] || continue
  case $f in *.sh) echo "$f" ;; *.*) ;; *) head -c 64 "$f" | grep -q '^#!.*sh' && echo "$f" ;; esac
done)
# A file that passed is not checked again while it, the helpers it may
# source and shellcheck stay the same (keyed by their contents, in
# MEMLEAN_LINT_CACHE, default ~/.cache/memlean-lint): on 2 cores the whole
# run takes three minutes.
cache=${MEMLEAN_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memlean-lint}
mkdir -p "$cache"
context=$({ shellcheck --version; cat scripts/lib.sh scripts/lib/*.sh tests/lib.sh tests/ecosystem/lib; } | sha256sum | cut -d' ' -f1)
for f in "${scripts[@]}"; do
  key=$(cat "$f" <(echo "$context") | sha256sum | cut -d' ' -f1)
  if [ -e "$cache/$key" ]; then
    pass "shellcheck $f (unchanged since it passed)"
  elif out=$(shellcheck -x "$f" 2>&1); then
    pass "shellcheck $f"
    touch "$cache/$key"
  else
    fail "shellcheck $f" "$out"
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
