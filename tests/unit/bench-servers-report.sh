#!/usr/bin/env bash
# scripts/bench/servers-report and scripts/bench/svg-chart on made-up results with
# known answers: medians and ranges, ratios to stock, the floor (the lowest
# after-warm-up median), the best alternative at each point, the excess
# ratio and its verdict, the latency after idle, the live bytes, the noise
# row; the chart's lines and phase marks; bad input as one error line.
. "$(dirname "$0")/../lib.sh"
dir=$T_TMP/bench
mkdir -p "$dir/samples"
cat >"$dir/machine.txt" <<'EOF'
cores=2
ruby=ruby/3.3.8
python=python/3.13.5
ruby_stack=puma 6.6.0
phases=warm-up 1 s
repeats=3
command=test
EOF
# config floor_MiB memory_MiB rps p99_ms limit_MiB wake_p99_ms: the same
# memory at the end of the burst and of the idle period, repeats at memory+2
# and memory-2 (median: memory); the practical limit, the live bytes (half
# the limit) and the latency after idle the same in every repeat; the
# limit's pause limit+1 to limit+3 ms.
row() {
  local cfg=$1 floor=$2 mem=$3 rps=$4 p99=$5 limit=$6 wake=$7 r m
  for r in 1 2 3; do
    m=$((mem + (r == 2 ? 2 : 0) - (r == 3 ? 2 : 0)))
    printf 'ruby\tsingle\t%s\t%s\t%s\t%s' "$cfg" "$r" $((floor * 1024)) $((floor * 1024))
    printf '\t%s\t%s' $((m * 1024)) $((m * 1024)) $((m * 1024)) $((m * 1024))
    printf '\t%s\t%s\t1\t%s\t5.0\t%s\t1000\t%s\t%s\t%s' $((m * 1024)) $((m * 1024)) "$rps" "$p99" normal $((limit * 1024)) $((limit * 1024))
    printf '\t%s\t%s\t100\t3.0\t%s\t%s\n' $((limit * 512)) $((limit + r)) "$wake" "$wake"
  done
}
{
  printf 'runtime\tmode\tconfig\trepeat\tfloor_rss_kb\tfloor_pss_kb\tburst_rss_kb\tburst_pss_kb\tidle_rss_kb\tidle_pss_kb\tpeak_rss_kb\tpeak_pss_kb\tprocs\trps\tp50_ms\tp99_ms\trequests\tvariant\tlimit_rss_kb\tlimit_pss_kb\tlive_kb\tlimit_ms\twake_requests\twake_p50_ms\twake_p99_ms\twake_max_ms\n'
  row stock 30 100 100 10 35 20
  row stock-arena2 29 80 95 10.5 34 20
  row malloctrim 31 90 90 11 40 25
  row jemalloc 28 50 99 10.2 45 20.8
  row jemalloc-p250 31 57 99 10.2 40 20
  row malloctrim-p250 31 30 99 10.2 26 20
  row stock-again 30 101 101 9.9 35 19
} >"$dir/results.tsv"
for cfg in stock stock-arena2 malloctrim jemalloc jemalloc-p250 malloctrim-p250 stock-again; do
  printf 't_ms,rss_kb,pss_kb,private_kb,anon_kb,hwm_kb,procs,mark\n0,1000,900,0,0,0,1,0\n500,2000,1900,0,0,0,1,1\n1000,3000,2900,0,0,0,1,5\n9000,2500,2400,0,0,0,1,0\n' \
    >"$dir/samples/ruby-single-$cfg-1.csv"
  sed -i 's/,1,5$/,1,4/' "$dir/samples/ruby-single-$cfg-1.csv"
done

check "the report is written" "$ROOT/scripts/bench/servers-report" "$dir"
report=$dir/report.md
has() { grep -qF -- "$2" "$report" || { echo "missing: $2"; false; }; }
check "memory is the median, then min-max over the repeats; the practical limit, its pause and the live bytes before the peak" has . "| stock | 30 (30-30) | 100 (98-102) | 100 (98-102) | 35 (35-35) | 37 (36-38) | 18 (18-18) | 100 (98-102) |"
check "the floor is the lowest after-warm-up median (jemalloc's 28 MiB)" has . "before load): 28 MiB"
check "ratios to stock, within each repeat; the latency of the first requests after idle and its ratio" has . "| jemalloc | 0.50 (0.49-0.51) | 0.50 (0.49-0.51) | 0.62 | 0.62 | 99 (99-99) | 0.99 (0.99-0.99) | 5.0 (5.0-5.0) | 10.2 (10.2-10.2) | 1.02 (1.02-1.02) | 3.0 (3.0-3.0) | 20.8 (20.8-20.8) | 20.8 (20.8-20.8) | 1.04 (1.04-1.04) |"
check "the best alternative is the lowest non-memlean median at each point (not stock-again)" has . "end of burst stock-arena2 (80 MiB)"
check "jemalloc: (50 - 28) / (80 - 28) = 0.42 above the floor meets 0.6 and 0.5; (50 - 28) / (45 - 28) = 1.29 of its limit's excess meets 1.3; throughput, p99 and p99 after idle meet theirs" \
  has . "| ruby | single | jemalloc | 0.42 yes | 0.42 yes | 1.29 yes | 0.99 yes | 1.02 yes | 1.04 yes |"
check "malloctrim: 1.19 misses, 5.17 of its limit's excess misses, and so do 0.90x throughput, 1.10x p99 and 1.25x p99 after idle" \
  has . "| ruby | single | malloctrim | 1.19 **no** | 1.19 **no** | 5.17 **no** | 0.90 **no** | 1.10 **no** | 1.25 **no** |"
check "jemalloc-p250: (57 - 28) / 52 = 0.56 meets 0.6 at the end of the burst, not 0.5 at the end of the idle period" \
  has . "| ruby | single | jemalloc-p250 | 0.56 yes | 0.56 **no** |"
check "malloctrim-p250: its limit (26 MiB) is below the floor (28): the end of idle (30) is judged against the limit itself" \
  has . "| ruby | single | malloctrim-p250 | 0.04 yes | 0.04 yes | +4 MiB over a limit below the floor **no** |"
check "stock-again is the noise row, not judged" has . "| ruby | single | stock-again | (1.40) | (1.40) | (10.43) | (1.01) | (0.99) | (0.95) |"
check "alternatives are not judged" bash -c "! grep -q '^| ruby | single | stock-arena2 |.*yes' '$report'"
check "the report links the chart" has . "![ruby single](ruby-single.svg)"
svg=$dir/ruby-single.svg
expect "the chart has a line per configuration" "$(grep -c '<polyline' "$svg")" 7
expect "and a dashed line per phase mark" "$(grep -c 'stroke-dasharray' "$svg")" 2
check "its y axis is in MiB of the mode's measure" grep -q 'RSS MiB' "$svg"
check "it ends at the last phase mark (1.0 s), not with the shutdown after it (9.0 s)" \
  bash -c "grep -q '>1.0</text>' '$svg' && ! grep -q '>9.0</text>' '$svg'"

check_error "a folder without results is one error line" 'results.tsv is missing; run: make bench-servers' \
  "$ROOT/scripts/bench/servers-report" "$T_TMP/nothing"
check_error "a CSV without the column is one error line" 'has no column vss_kb' \
  "$ROOT/scripts/bench/svg-chart" title vss_kb "$T_TMP/x.svg" "stock=$dir/samples/ruby-single-stock-1.csv"
check "and writes no chart" test ! -e "$T_TMP/x.svg" -a ! -e "$T_TMP/x.svg.tmp"
check_error "a missing CSV is one error line" 'no such CSV file' "$ROOT/scripts/bench/svg-chart" title rss_kb "$T_TMP/x.svg" "stock=$T_TMP/none.csv"
finish
