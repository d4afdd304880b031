#!/usr/bin/env bash
# The GC hook, observed from outside by the preload probe: a full GC trims
# (malloctrim) or purges jemalloc (jemalloc); normal and MEMLEAN_TRIM=0 do
# neither; the interval bounds it; and the memory really goes back.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
[ -f "$probe" ] || { fail "the probe is built (make tools)"; finish; }

# observe VARIANT FIELD RUBY-CODE [ENV...]: FIELD of the probe's report.
observe() {
  local v=$1 field=$2 code=$3 log=$T_TMP/probe.log
  shift 3
  rm -f "$log"
  env "$@" MEMLEAN_PROBE_LOG="$log" LD_PRELOAD="$probe" "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" -e "$code" >/dev/null
  probe_field "$field" "$log"
}
three_gcs='3.times { GC.start }'
for v in normal malloctrim jemalloc; do
  [ -x "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" ] || { fail "$v is built"; continue; }
done

# Interval 0: every full GC releases; the count grows by one per GC.start.
base=$(observe malloctrim malloc_trim '' MEMLEAN_TRIM_INTERVAL_MS=0)
after=$(observe malloctrim malloc_trim "$three_gcs" MEMLEAN_TRIM_INTERVAL_MS=0)
expect "malloctrim: each GC.start calls malloc_trim once ($base at boot)" "$after" "$((base + 3))"
expect "malloctrim: MEMLEAN_TRIM=0 switches it off" "$(observe malloctrim malloc_trim "$three_gcs" MEMLEAN_TRIM=0 MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "malloctrim: the default interval (1000 ms) allows one trim for back-to-back GCs" \
  "$(observe malloctrim malloc_trim "$three_gcs")" 1
expect "malloctrim: GCs further apart than the interval each trim" \
  "$(observe malloctrim malloc_trim '3.times { GC.start; sleep 0.3 }' MEMLEAN_TRIM_INTERVAL_MS=200)" "$((base + 3))"
expect "malloctrim: a minor GC does not trim" "$(observe malloctrim malloc_trim 'GC.start(full_mark: false, immediate_sweep: true)' MEMLEAN_TRIM_INTERVAL_MS=0)" "$base"
expect "malloctrim: jemalloc is not involved" "$(observe malloctrim jemalloc "$three_gcs")" 0

expect "normal: GC.start never calls malloc_trim" "$(observe normal malloc_trim "$three_gcs" MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "normal: nor purges jemalloc" "$(observe normal jemalloc_purge "$three_gcs" MEMLEAN_TRIM_INTERVAL_MS=0)" 0

base=$(observe jemalloc jemalloc_purge '' MEMLEAN_TRIM_INTERVAL_MS=0)
expect "jemalloc: each GC.start purges jemalloc's dirty pages ($base at boot)" \
  "$(observe jemalloc jemalloc_purge "$three_gcs" MEMLEAN_TRIM_INTERVAL_MS=0)" "$((base + 3))"
expect "jemalloc: malloc_trim (which reaches only glibc) is never called" \
  "$(observe jemalloc malloc_trim "$three_gcs" MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "jemalloc: MEMLEAN_TRIM=0 switches the purge off" \
  "$(observe jemalloc jemalloc_purge "$three_gcs" MEMLEAN_TRIM=0)" 0
expect "jemalloc: the default interval allows one purge for back-to-back GCs" \
  "$(observe jemalloc jemalloc_purge "$three_gcs")" 1

# The effect, seen in jemalloc's own statistics and in RSS: 10 threads fill
# the heap with 1-40 KB strings, drop them, then one full GC.
bloat='ts = 10.times.map { Thread.new { Array.new(4000) { |i| "x" * (1000 + (i * 7919) % 39000) } } }
       keep = ts.map(&:value); keep = nil; ts = nil
       GC.start
       puts File.read("/proc/self/status")[/VmRSS:\s+(\d+)/, 1]'
on=$(observe jemalloc jemalloc_dirty_purged_pages "$bloat")
off=$(observe jemalloc jemalloc_dirty_purged_pages "$bloat" MEMLEAN_TRIM=0)
check "jemalloc: the purge returns dirty pages (jemalloc stats: $on pages purged with it, $off without)" \
  test "$on" -gt $((off + 10000))

# rss VARIANT [ENV...]: VmRSS in KiB after the bloat and one full GC.
rss() {
  local v=$1
  shift
  env "$@" "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" -e "$bloat"
}
for v in malloctrim jemalloc; do
  on=$(rss "$v") off=$(rss "$v" MEMLEAN_TRIM=0)
  check "$v: RSS after a full GC is well below the untrimmed run ($on KiB vs $off KiB)" test "$on" -lt $((off * 6 / 10))
done

finish
