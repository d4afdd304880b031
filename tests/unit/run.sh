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
fake mixed 'echo "ok - one case"; echo "not ok - another"; exit 1'
rc=0; out=$("$T_TMP/tree/tests/run" fake mixed 2>&1) || rc=$?
expect "a file with a passed and a failed case fails the run" "$rc $(grep -c 'FAILED after' <<<"$out")" "1 1"
rc=0; out=$("$T_TMP/tree/tests/run" --jobs 2 fake mixed passing 2>&1) || rc=$?
expect "and with --jobs 2" "$rc $(grep -c 'FAILED after' <<<"$out")" "1 1"
rc=0; out=$("$T_TMP/tree/tests/run" fake silent 2>&1) || rc=$?
expect "a file that exits 0 without an ok line fails the run" "$rc $(grep -c 'reported no test' <<<"$out")" "1 1"
check "and the run's error names it" grep -q 'error: 1 fake test files failed: fake/silent' <<<"$out"

# --jobs 2: files run two at a time, their lines printed in the files'
# order, the same verdicts. slow and quick each wait (up to 10 s) for the
# other to have started: they pass only side by side. Then each takes 1 s
# more, so that the files after them start only as they end.
meet() { # ME OTHER
  fake "$1" "touch '$T_TMP/met-$1'; for _ in \$(seq 100); do [ -e '$T_TMP/met-$2' ] && break; sleep 0.1; done
sleep 1; [ -e '$T_TMP/met-$2' ] && echo 'ok - $1 case' || echo 'not ok - $1 ran alone'"
}
meet slow quick
meet quick slow
rc=0; out=$("$T_TMP/tree/tests/run" --jobs 2 fake slow quick failing silent passing 2>&1) || rc=$?
expect "--jobs 2: the failed and the silent file fail the run" "$rc $(grep -c 'FAILED' <<<"$out")" "1 2"
expect "each file's lines come in the order the files were given, the first two run side by side" \
  "$(grep -E '^== |^(not )?ok ' <<<"$out" | tr '\n' '|')" \
  "== fake/slow|ok - slow case|== fake/quick|ok - quick case|== fake/failing|not ok - one case|== fake/silent|== fake/passing|ok - one case|"
check "the run's error names both" grep -q 'error: 2 fake test files failed: fake/failing fake/silent' <<<"$out"
for n in 1 2 3 4; do fake "p$n" "echo 'ok - p$n'"; done
rm -f "$T_TMP"/met-*
rc=0; out=$(timeout 30 "$T_TMP/tree/tests/run" --jobs 2 fake p1 slow quick p2 p3 p4 2>&1) || rc=$?
expect "--jobs 2 over more files than jobs starts each one as another ends, to the last" \
  "$rc $(grep -c '^ok - p' <<<"$out")" "0 4"
check_error "--jobs without a number is one error line" '--jobs takes a number of files at a time' "$T_TMP/tree/tests/run" --jobs x fake passing
finish
