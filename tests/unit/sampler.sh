#!/usr/bin/env bash
# tools/memlean-sampler against a known memory shape
# (tests/fixtures/alloc-pattern): peak, settled end, samples at the
# interval, a forking command summed over its processes, a command that is
# killed or exits early, and bad options as one error line.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
make --no-print-directory -s out/tools/memlean-sampler >/dev/null
sampler=out/tools/memlean-sampler
gcc -Wall -Wextra -Werror -O2 -o "$T_TMP/alloc" tests/fixtures/alloc-pattern.c
field() { jq -r ".$2" "$1"; }

# 200 MiB held 600 ms, then 600 ms idle at a few MB
check "a command runs under the sampler and its status is kept" \
  "$sampler" -i 50 -s 400 -o "$T_TMP/a.csv" -j "$T_TMP/a.json" -- "$T_TMP/alloc" 200 600
peak=$(field "$T_TMP/a.json" peak_rss_kb) settled=$(field "$T_TMP/a.json" settled_end_rss_kb)
check "peak RSS sees the 200 MiB ($peak kB)" test "$peak" -ge 204800 -a "$peak" -lt 215000
check "settled end sees them gone ($settled kB)" test "$settled" -lt 10000
check "VmHWM is the high-water mark ($(field "$T_TMP/a.json" peak_hwm_kb) kB)" test "$(field "$T_TMP/a.json" peak_hwm_kb)" -ge 204800
# against the wall time the run took: a loaded machine stretches the run,
# not the interval
n=$(field "$T_TMP/a.json" samples) wall=$(field "$T_TMP/a.json" wall_ms)
check "samples come at the interval (50 ms: $n samples in $wall ms)" \
  test "$wall" -ge 1200 -a "$n" -ge $((wall / 50 / 2)) -a "$n" -le $((wall / 50 + 2))
expect "the CSV has a header and one line per sample" "$(($(wc -l <"$T_TMP/a.csv") - 1))" "$n"
check "the CSV's columns" grep -qx 't_ms,rss_kb,pss_kb,private_kb,anon_kb,hwm_kb,procs,mark' "$T_TMP/a.csv"
expect "no SIGUSR1, no marks" "$(field "$T_TMP/a.json" 'marks | length')" 0

# SIGUSR1 marks a moment: a sample at once, numbered, at the interval or not.
# The second mark comes 1.6 s in: the 100 MiB are in place by then even
# on a loaded machine (at 0.9 s a make test run once saw 82 of them).
"$sampler" -i 1000 -o "$T_TMP/m.csv" -j "$T_TMP/m.json" -- "$T_TMP/alloc" 100 2500 &
spid=$!
sleep 0.3; kill -USR1 "$spid"; sleep 1.3; kill -USR1 "$spid"
wait "$spid" || true
expect "two SIGUSR1, two marks" "$(jq -r '[.marks[].mark | tostring] | join(",")' "$T_TMP/m.json")" 1,2
t1=$(field "$T_TMP/m.json" 'marks[0].t_ms') t2=$(field "$T_TMP/m.json" 'marks[1].t_ms')
check "each taken when it was asked for, not at the next interval ($t1 ms, $t2 ms; interval 1000 ms)" \
  test "$t1" -ge 250 -a "$t1" -le 500 -a "$t2" -ge 1550 -a "$t2" -le 1900
check "a mark holds the memory of that moment ($(field "$T_TMP/m.json" 'marks[1].rss_kb') kB of 100 MiB held)" \
  test "$(field "$T_TMP/m.json" 'marks[1].rss_kb')" -ge 102400
expect "the CSV numbers the marked samples" "$(awk -F, 'NR > 1 && $8 > 0 { printf "%s ", $8 }' "$T_TMP/m.csv")" "1 2 "

"$sampler" -i 50 -j "$T_TMP/f.json" -- "$T_TMP/alloc" 100 600 2 || true
peak=$(field "$T_TMP/f.json" peak_rss_kb)
check "a forking command is summed over its processes (3 x 100 MiB: $peak kB)" test "$peak" -ge 307200
expect "it saw the 3 processes" "$(field "$T_TMP/f.json" max_procs)" 3

rc=0; "$sampler" -j "$T_TMP/k.json" -- sh -c 'sleep 0.3; kill -9 $$' || rc=$?
expect "a killed command: the sampler exits 128+9" "$rc" 137
expect "and records the signal" "$(field "$T_TMP/k.json" signal)" 9
rc=0; "$sampler" -j "$T_TMP/e.json" -- sh -c 'exit 3' || rc=$?
expect "a command that exits at once: its status" "$rc" 3
check "and a summary still" test "$(field "$T_TMP/e.json" exit)" = 3
check_error "-i 0 is one error line" 'expected an interval of 1-60000 ms' "$sampler" -i 0 -- true
check_error "a command that cannot run is one error line" 'cannot run /nonexistent' "$sampler" -- /nonexistent
finish
