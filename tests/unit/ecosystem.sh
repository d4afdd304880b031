#!/usr/bin/env bash
# The compatibility suite's runner (tests/ecosystem/lib) and table
# (tests/ecosystem/table), without builds: stand-in stages under a scratch
# MEMLEAN_OUT and stand-in packages whose "tests" pass, fail, crash or hang
# on cue. Checked: the summary of each test runner read right, a crash named
# with its signal and the test running, a hang cut by the timeout, a source
# that cannot be fetched or a build that fails named and failing the file,
# results kept only when complete, and the compatibility table written from the
# results (and refused without its markers or without results).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
out=$T_TMP/out
for v in normal malloctrim jemalloc; do mkdir -p "$(MEMLEAN_OUT=$out build_path stage ruby/3.3.8 "$v")/usr/lib/memlean"; done

# package NAME BODY: a stand-in package file sourcing the real lib.
package() {
  cat >"$T_TMP/$1.sh" <<EOF
#!/usr/bin/env bash
. "$ROOT/tests/ecosystem/lib"
ECO_RUNTIME=ruby ECO_NAME=$1 ECO_VERSION=1.0 ECO_SOURCE="stand-in" ECO_TESTS="all" ECO_FORMAT=minitest
ECO_OBJECTS=('libc\.so\.6')
eco_build() { :; }
eco_smoke() { /bin/true; }
$2
eco_main
EOF
  chmod +x "$T_TMP/$1.sh"
}
run() { # NAME: runs the stand-in, output in $T_TMP/NAME.out, status in $T_TMP/NAME.rc
  local rc=0
  MEMLEAN_OUT=$out MEMLEAN_ECOSYSTEM_TIMEOUT=3 "$T_TMP/$1.sh" >"$T_TMP/$1.out" 2>&1 || rc=$?
  echo "$rc" >"$T_TMP/$1.rc"
}
row() { awk -F'\t' -v c="$2" '$6 == c { print $7 "|" $8 }' "$out/ecosystem/results/$1.tsv"; }

# Each configuration does something else: pass, fail, crash, hang.
# shellcheck disable=SC2016 # the stand-in's body expands in the stand-in
package mixed 'eco_tests() {
  case ${MEMLEAN_TRIM_INTERVAL_MS:-}:$VARIANT in
    :normal) echo "12 runs, 30 assertions, 0 failures, 0 errors, 2 skips" ;;
    :malloctrim) echo "12 runs, 30 assertions, 1 failures, 0 errors, 0 skips"; exit 1 ;;
    0:malloctrim) echo "TestThing#test_frees_twice = "; kill -SEGV $$ ;;
    :jemalloc) echo "TestSlow#test_waits = "; sleep 30 ;;
  esac
}'
run mixed
check "a file with failing configurations fails" test "$(cat "$T_TMP/mixed.rc")" -ne 0
check "passing tests pass, with minitest's counts" grep -qx 'ok - mixed normal: its tests pass (12 run, 0 failed, 0 errors, 2 skipped)' "$T_TMP/mixed.out"
expect "the row says passed" "$(row mixed normal)" "passed|12 run, 0 failed, 0 errors, 2 skipped"
check "a failed test fails the configuration" grep -q '^not ok - mixed malloctrim: its tests pass' "$T_TMP/mixed.out"
expect "the row says failed, with the counts" "$(row mixed malloctrim)" "failed|12 run, 1 failed, 0 errors, 0 skipped (exit 1)"
check "a crash is named" grep -q '^not ok - mixed malloctrim-i0: its tests run without a crash' "$T_TMP/mixed.out"
expect "with its signal and the test running" "$(row mixed malloctrim-i0)" "crashed|SIGSEGV while running: TestThing#test_frees_twice = "
check "a hang is cut by the timeout and named" grep -q '^not ok - mixed jemalloc: its tests end within 3s' "$T_TMP/mixed.out"
expect "with the test running" "$(row mixed jemalloc)" "hung|no end after 3s: TestSlow#test_waits = "
check "the jemalloc variant's smoke test runs under the allocator check" grep -qx 'ok - mixed jemalloc: no second allocator is loaded' "$T_TMP/mixed.out"
expect "the allocator check has its row" "$(row mixed allocator)" "passed|0 malloc/free bindings in 1 object to memlean's jemalloc, no second allocator"

# A run that says nothing countable does not pass, even with exit 0.
package silent 'eco_tests() { echo "no summary"; }'
run silent
check "exit 0 without a test count is not a pass" grep -q '^not ok - silent normal: its tests pass' "$T_TMP/silent.out"

# A crash that leaves no test name in the log is still recorded as one.
package quiet 'eco_tests() { kill -SEGV $$; }'
run quiet
expect "a crash without a test name is recorded" "$(row quiet normal)" "crashed|SIGSEGV while running: "

# The allocator check fails on an object the smoke test does not load, and
# on a package that names none.
package unloaded "ECO_OBJECTS=('libnowhere\\.so')
eco_tests() { echo '1 runs, 1 assertions, 0 failures, 0 errors, 0 skips'; }"
run unloaded
check "an object not loaded fails the allocator check" grep -q '^not ok - unloaded jemalloc: libnowhere.so is loaded by the smoke test' "$T_TMP/unloaded.out"
expect "and its row says so" "$(row unloaded allocator)" "failed|1 failed checks; see the suite's output"
package unnamed "ECO_OBJECTS=()
eco_tests() { echo '1 runs, 1 assertions, 0 failures, 0 errors, 0 skips'; }"
run unnamed
check "a package naming no objects fails the check" grep -q '^not ok - unnamed: ECO_OBJECTS names the objects' "$T_TMP/unnamed.out"
check "and the file" test "$(cat "$T_TMP/unnamed.rc")" -ne 0

# A command that fails outside a check (set -e) is named, not a bare exit.
# shellcheck disable=SC2016 # expands in the stand-in
package stops 'eco_tests() { :; }
nothing=$(false)'
run stops
# shellcheck disable=SC2016 # a regex
check "a script stopped by a failing command says where" grep -q '^not ok - stops: the test script stopped at .*stops.sh:[0-9]* (exit 1): nothing=\$(false)' "$T_TMP/stops.out"
check "and fails" test "$(cat "$T_TMP/stops.rc")" -ne 0

# A build that fails: named with its log, its configurations recorded.
package broken 'eco_build() { echo "extconf.rb: libfoo not found"; return 1; }
eco_tests() { echo "1 runs, 1 assertions, 0 failures, 0 errors, 0 skips"; }'
run broken
check "a failed build is named with its log" grep -q '^not ok - broken 1.0 builds with ruby/3.3.8 normal (log: .*/logs/ecosystem/broken/build-normal.log)' "$T_TMP/broken.out"
check "and its last lines shown" grep -q 'libfoo not found' "$T_TMP/broken.out"
expect "its configurations are recorded as build-failed" "$(row broken malloctrim-i0 | cut -d'|' -f1)" "build-failed"
check "the file fails" test "$(cat "$T_TMP/broken.rc")" -ne 0

# A source that cannot be fetched: named, nothing recorded.
cat >"$T_TMP/unfetchable" <<EOF
KIND=third-party
NAME=unfetchable
VERSION=1.0
UPSTREAM_VERSION=1.0
SOURCE_URL=file://$T_TMP/nowhere/unfetchable-1.0.tar.gz
SOURCE_SHA256=$(printf '%064d' 1)
SOURCE_SIZE=10
EOF
package fetch "ECO_RECIPE=$T_TMP/unfetchable
eco_tests() { :; }"
run fetch
check "a source that cannot be fetched is named" grep -q "^not ok - $T_TMP/unfetchable: its source is fetched" "$T_TMP/fetch.out"
check "and fails the file" test "$(cat "$T_TMP/fetch.rc")" -ne 0
check "and records nothing" test ! -e "$out/ecosystem/results/unfetchable.tsv"

# A missing build: named with the command that makes it.
rm -rf "$(MEMLEAN_OUT=$out build_path stage ruby/3.3.8 jemalloc)"
package unbuilt 'eco_tests() { echo "1 runs, 1 assertions, 0 failures, 0 errors, 0 skips"; }'
run unbuilt
check "a variant not built is named" grep -q '^not ok - unbuilt: ruby/3.3.8 jemalloc is built (make build-default)' "$T_TMP/unbuilt.out"
check "and the incomplete results are not kept" test ! -e "$out/ecosystem/results/unbuilt.tsv"

# The runners' summaries.
. tests/ecosystem/lib
counts() { printf '%s\n' "$2" >"$T_TMP/log"; ECO_FORMAT=$1 eco_counts "$T_TMP/log"; }
expect "rspec" "$(counts rspec $'Finished\n41 examples, 2 failures, 3 pending')" "41 2 0 3"
expect "rspec without pending" "$(counts rspec '7 examples, 0 failures')" "7 0 0 0"
expect "minitest" "$(counts minitest '300 runs, 900 assertions, 1 failures, 2 errors, 4 skips')" "300 1 2 4"
expect "pytest, any order" "$(counts pytest '=== 3 failed, 1200 passed, 7 skipped, 1 error in 12.31s ===')" "1211 3 1 7"
expect "pytest in colour (--color=yes)" "$(counts pytest $'\e[31m= \e[31m\e[1m2 failed\e[0m, \e[32m4393 passed\e[0m, \e[33m304 skipped\e[0m\e[31m in 100.53s (0:01:40)\e[0m\e[31m =\e[0m')" "4699 2 0 304"
expect "pytest, all passed" "$(counts pytest '============ 52 passed in 0.40s ============')" "52 0 0 0"
expect "unittest, failed" "$(counts unittest $'Ran 714 tests in 30.2s\n\nFAILED (failures=2, errors=1, skipped=40)')" "714 2 1 40"
expect "unittest, OK" "$(counts unittest $'Ran 714 tests in 30.2s\n\nOK (skipped=40)')" "714 0 0 40"
expect "no summary, no counts" "$(counts pytest 'Segmentation fault')" ""
expect "a signal's exit status is named" "$(eco_signal 139)" "SIGSEGV"
expect "an abort's too" "$(eco_signal 134)" "SIGABRT"
expect "a plain failure is no signal" "$(eco_signal 1)" ""

# The table: from the results, between the markers, nothing else changed.
printf '# t\n\nabove\n<!-- ecosystem-table:begin -->\nold\n<!-- ecosystem-table:end -->\nbelow\n' >"$T_TMP/COMPATIBILITY.md"
check "the table is written" env MEMLEAN_OUT="$out" tests/ecosystem/table "$T_TMP/COMPATIBILITY.md"
check "one row per package" test "$(grep -c '^| ruby | ' "$T_TMP/COMPATIBILITY.md")" -eq 6
check "with the allocator check's column" grep -q "| passed (0 malloc/free bindings in 1 object to memlean's jemalloc, no second allocator) | - |$" "$T_TMP/COMPATIBILITY.md"
check "a passing cell" grep -q '^| ruby | mixed | 1.0 | stand-in | all | passed (12 run, 0 failed, 0 errors, 2 skipped) | \*\*FAILED\*\*' "$T_TMP/COMPATIBILITY.md"
check "a crashed cell" grep -q '\*\*CRASHED\*\* (SIGSEGV while running' "$T_TMP/COMPATIBILITY.md"
check "the old table is gone, the rest kept" bash -c "! grep -qx old '$T_TMP/COMPATIBILITY.md' && grep -qx above '$T_TMP/COMPATIBILITY.md' && grep -qx below '$T_TMP/COMPATIBILITY.md'"
printf '# no markers\n' >"$T_TMP/plain.md"
check_error "a file without the markers is refused" "has no <!-- ecosystem-table:begin -->" env MEMLEAN_OUT="$out" tests/ecosystem/table "$T_TMP/plain.md"
check_error "no results is refused" "no results in .*; run make test-ecosystem first" env MEMLEAN_OUT="$T_TMP/empty" tests/ecosystem/table "$T_TMP/COMPATIBILITY.md"
finish
