#!/usr/bin/env bash
# Every shell script is shellcheck-clean; every C file compiles warning-free.
. "$(dirname "$0")/../lib.sh"

cd "$ROOT"
mapfile -t scripts < <(git ls-files | while read -r f; do
  [ -f "$f" ] || continue
  case $f in *.sh) echo "$f" ;; *.*) ;; *) head -c 64 "$f" | grep -q '^#!.*sh' && echo "$f" ;; esac
done)
for f in "${scripts[@]}"; do
  check "shellcheck $f" shellcheck -x "$f"
done
check "tools/memlean-probe.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -fPIC -shared -o "$T_TMP/probe.so" tools/memlean-probe.c -ldl

check "tools/memlean-sampler.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/sampler" tools/memlean-sampler.c
check "tools/memlean-reprefix.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/reprefix" tools/memlean-reprefix.c
check "tests/fixtures/alloc-pattern.c builds with -Wall -Wextra -Werror" \
  gcc -Wall -Wextra -Werror -o "$T_TMP/alloc" tests/fixtures/alloc-pattern.c

finish
