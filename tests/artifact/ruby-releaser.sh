#!/usr/bin/env bash
# Ruby's releaser thread (patches/common/release-memory/memlean_release_memory.h, started in
# Init_GC), observed from outside: a process that runs no GC at all gets the
# memory it freed released by the thread named memlean-release (counted by
# the preload probe: malloc_trim in malloctrim, a jemalloc purge in
# jemalloc), and its RSS falls; normal has no such thread and never
# releases; MEMLEAN_TRIM=0 and MEMLEAN_RELEASE_PERIOD_MS=0 give none; and a
# fork-heavy program with threads allocating neither hangs nor leaves its
# children without the thread once they run a GC.
. "$(dirname "$0")/../lib.sh"

[ -f "$ROOT/out/tools/memlean-probe.so" ] || { fail "the probe is built (make tools)"; finish; }
built_variants "$RUBY_RECIPE" ruby

# observe VARIANT FIELD RUBY-CODE [ENV...]: FIELD of the probe's report;
# what the code printed is left in $T_TMP/stdout.
observe() {
  local v=$1 field=$2 code=$3
  shift 3
  probe_count "$field" timeout -k 5 120 env "$@" "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" -e "$code"
}

# No GC at all: GC.disable, then 10 threads each make 1000 strings of
# 1-40 KB and free nine in ten of them with String#clear (scattered over the
# heap); then the process idles.
nogc='GC.disable
before = GC.count
rss = -> { File.read("/proc/self/status")[/VmRSS:\s+(\d+)/, 1] }
keep = 10.times.map { Thread.new { made = Array.new(1000) { |i| "x" * (1000 + (i * 7919) % 40000) }; made.each_with_index.map { |s, i| i % 10 == 0 ? s : s.clear && nil }.compact } }.map(&:value)
work = rss.()
sleep 2.5
names = Dir.children("/proc/self/task").map { |t| File.read("/proc/self/task/#{t}/comm").chomp rescue "" }
puts "gcs=#{GC.count - before} rss_work=#{work} rss_idle=#{rss.()} threads=#{names.count("memlean-release")} kept=#{keep.sum(&:size)}"'

for v in malloctrim jemalloc; do
  is_built $v || continue
  f=malloc_trim
  [ $v = malloctrim ] || f=jemalloc_purge
  n=$(observe $v releaser "$nogc")
  expect "$v: the program ran no GC at all" "$(said gcs)" 0
  check "$v: the memlean-release thread released what it freed ($n releases, $f $(probe_field $f "$T_TMP/probe.log"))" test "${n:-0}" -ge 1
  expect "$v: one thread named memlean-release" "$(said threads)" 1
  on=$(said rss_idle) work=$(said rss_work)
  observe $v releaser "$nogc" MEMLEAN_RELEASE_PERIOD_MS=0 >/dev/null
  off=$(said rss_idle)
  check "$v: RSS after 2.5 s idle is well below the run without the thread ($on KiB, without it $off KiB; $work KiB after the work)" \
    test "$on" -lt $((off * 3 / 4))
  expect "$v: MEMLEAN_RELEASE_PERIOD_MS=0: no thread, no release from one" "$(observe $v releaser "$nogc" MEMLEAN_RELEASE_PERIOD_MS=0)|$(said threads)" "0|0"
  expect "$v: MEMLEAN_TRIM=0: no thread, no release at all" "$(observe $v $f "$nogc" MEMLEAN_TRIM=0)|$(said threads)" "0|0"
done
! is_built normal || expect "normal: no thread, no malloc_trim" "$(observe normal malloc_trim "$nogc")|$(said threads)" "0|0"
! is_built normal || expect "normal: no jemalloc purge" "$(observe normal jemalloc_purge "$nogc")" 0

# Fork-heavy: 4 threads allocate and free while the main thread forks 60
# children that allocate and free. A child has no memlean-release thread
# until its first GC (as Ruby starts its own timer thread lazily: a child
# that only daemonizes or execs gets none), then has one.
forks='workers = 4.times.map { Thread.new { 300.times { Array.new(100) { "y" * 5000 }.each(&:clear) } } }
bad = 0
60.times do
  pid = fork do
    comm = -> { Dir.children("/proc/self/task").map { |t| File.read("/proc/self/task/#{t}/comm").chomp rescue "" } }
    before = comm.().include?("memlean-release")
    Array.new(300) { "z" * 3000 }.each(&:clear)
    GC.start(full_mark: false)
    exit!(!before && comm.().include?("memlean-release") ? 0 : 3)
  end
  Process.wait(pid)
  bad += 1 unless $?.success?
end
workers.each(&:join)
puts "forks=60 children_without_thread=#{bad}"'
for v in malloctrim jemalloc; do
  is_built $v || continue
  rc=0
  observe $v releaser "$forks" MEMLEAN_RELEASE_PERIOD_MS=1 >/dev/null || rc=$?
  expect "$v: 60 forks while threads allocate and the thread wakes every ms: no hang, every child has no memlean-release thread before its first GC and its own after" \
    "$rc $(said children_without_thread)" "0 0"
done

finish
