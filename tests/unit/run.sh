#!/usr/bin/env bash
# tests/run itself: a file that passes its cases passes, one with a failed
# case fails, and one that exits 0 without reporting a single test fails.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T_TMP/tree/tests/fake"
cp "$ROOT/tests/run" "$T_TMP/tree/tests/run"
fake() { # NAME BODY
  printf '#!/usr/bin/env bash\n%s\n' "$2" >"$T_TMP/tree/tests/fake/$1.sh"
  chmod +x "$T_TMP/tree/tests/fake/$1.sh"
}
fake passing 'echo "ok - one case"'
fake failing 'echo "not ok - one case"; exit 1'
fake silent 'echo "set up, then nothing checked"'

check "a file whose cases pass passes" "$T_TMP/tree/tests/run" fake passing
rc=0; out=$("$T_TMP/tree/tests/run" fake failing 2>&1) || rc=$?
expect "a file with a failed case fails the run" "$rc $(grep -c 'FAILED' <<<"$out")" "1 1"
rc=0; out=$("$T_TMP/tree/tests/run" fake silent 2>&1) || rc=$?
expect "a file that exits 0 without an ok line fails the run" "$rc $(grep -c 'reported no test' <<<"$out")" "1 1"
check "and the run's error names it" grep -q 'error: 1 fake test files failed: fake/silent' <<<"$out"
finish
