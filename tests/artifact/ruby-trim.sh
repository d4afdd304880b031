#!/usr/bin/env bash
# The GC hook, observed from outside by the preload probe: a full GC trims
# (malloctrim) or purges jemalloc (jemalloc); normal and MEMLEAN_TRIM=0 do
# neither; the interval bounds it; and the memory really goes back.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
[ -f "$probe" ] || { fail "the probe is built (make tools)"; finish; }

# observe VARIANT FIELD RUBY-CODE [ENV...]: FIELD of the probe's report, the
# releaser thread off (ruby-releaser.sh tests it), so only the GC hook counts;
# what the code prints is left in $T_TMP/stdout.
observe() {
  local v=$1 field=$2 code=$3
  shift 3
  probe_count "$field" MEMLEAN_RELEASE_PERIOD_MS=0 "$@" "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" -e "$code"
}
for v in normal malloctrim jemalloc; do
  runtime_built "$RUBY_RECIPE" "$v" ruby || true
done

# hook_contract VARIANT FIELD OTHER-FIELD: the GC hook of VARIANT, counted
# by the probe's FIELD; OTHER-FIELD must stay 0.
hook_contract() {
  local v=$1 f=$2 other=$3 n base auto grow='x = []; 1_000_000.times { x << Object.new }'
  n=$(observe "$v" "$f" '3.times { GC.start }; print GC.stat(:major_gc_count)' MEMLEAN_TRIM_INTERVAL_MS=0)
  expect "$v: with interval 0, every full GC releases once ($f = major GCs = $(cat "$T_TMP/stdout"))" "$n" "$(cat "$T_TMP/stdout")"
  base=$(observe "$v" "$f" '' MEMLEAN_TRIM_INTERVAL_MS=0)
  check "$v: 3 x GC.start raise $f by at least 3 ($base -> $n)" test "$n" -ge $((base + 3))
  expect "$v: MEMLEAN_TRIM=0 switches it off" \
    "$(observe "$v" "$f" '3.times { GC.start }' MEMLEAN_TRIM=0 MEMLEAN_TRIM_INTERVAL_MS=0)" 0
  # A growing old generation makes Ruby run several automatic full GCs
  # within a fraction of a second.
  auto=$(observe "$v" "$f" "$grow" MEMLEAN_TRIM_INTERVAL_MS=0)
  n=$(observe "$v" "$f" "$grow" MEMLEAN_TRIM_INTERVAL_MS=60000)
  check "$v: automatic full GCs are rate-limited by MEMLEAN_TRIM_INTERVAL_MS ($auto releases with 0 ms, $n with 60000 ms)" \
    test "$auto" -ge 3 -a "$n" -eq 1
  n=$(observe "$v" "$f" '' MEMLEAN_TRIM_INTERVAL_MS=60000)
  expect "$v: GC.start always releases, whatever the interval" \
    "$(observe "$v" "$f" '3.times { GC.start }' MEMLEAN_TRIM_INTERVAL_MS=60000)" $((n + 3))
  expect "$v: minor GCs do not release" \
    "$(observe "$v" "$f" 'GC.start; 5.times { GC.start(full_mark: false) }' MEMLEAN_TRIM_INTERVAL_MS=0)" \
    "$(observe "$v" "$f" 'GC.start' MEMLEAN_TRIM_INTERVAL_MS=0)"
  expect "$v: $other stays 0" "$(observe "$v" "$other" '3.times { GC.start }' MEMLEAN_TRIM_INTERVAL_MS=0)" 0
}
hook_contract malloctrim malloc_trim jemalloc_purge
hook_contract jemalloc jemalloc_purge malloc_trim
expect "malloctrim: runs on glibc malloc (no jemalloc in the process)" "$(observe malloctrim jemalloc '')" 0
expect "normal: GC.start never calls malloc_trim" "$(observe normal malloc_trim '3.times { GC.start }' MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "normal: nor purges jemalloc" "$(observe normal jemalloc_purge '3.times { GC.start }' MEMLEAN_TRIM_INTERVAL_MS=0)" 0

# The effect, seen in jemalloc's own statistics and in RSS: 10 threads make
# 100 B-40 KB strings and keep a tenth of them, three rounds, each ending
# with GC.start.
bloat='keep = nil
       3.times do
         keep = 10.times.map { Thread.new { Array.new(4000) { |i| "x" * (100 + (i * 7919) % 40000) }.select.with_index { |_, i| i % 10 == 0 } } }.map(&:value)
         GC.start
       end
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
  check "$v: RSS after a full GC is well below the untrimmed run ($on KiB vs $off KiB)" test "$on" -lt $((off * 3 / 4))
done

finish
