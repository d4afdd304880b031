#!/usr/bin/env bash
# Ruby's idle collection (patches/ruby/3.3/gc-release-memory.patch), observed
# from inside and out: a program makes garbage, keeps one string in a
# thousand, and then waits as a server does (its main thread in Thread#join,
# IO.select or sleep; a second thread blocked on a Queue), running no GC of
# its own. Once it has been quiet for MEMLEAN_IDLE_MS, one full collection
# runs on the main thread, frees the garbage and every empty heap page, and
# RSS falls; the waits return as they would have; a forked child gets its
# own; GC.disable, MEMLEAN_IDLE_MS=0, MEMLEAN_TRIM=0 and normal get none.
. "$(dirname "$0")/../lib.sh"

built_variants "$RUBY_RECIPE" ruby

# run VARIANT WAIT [ENV...]: the program below, waiting with WAIT (join,
# select, sleep, disabled: join under GC.disable, fork: a child does it all);
# it prints its figures (left in $T_TMP/stdout).
run() {
  local v=$1 wait=$2
  shift 2
  timeout -k 5 120 env MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=300 "$@" \
    "$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby" -e "$idle" "$wait" >"$T_TMP/stdout" 2>"$T_TMP/stderr"
}
idle='wait = ARGV[0]
rss = -> { File.read("/proc/self/status")[/VmRSS:\s+(\d+)/, 1].to_i }
now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
# The garbage is made by a thread of its own, as the request threads of a
# server make it: Ruby marks machine stacks conservatively, and the main
# thread waits on the stack where its own calls made the array; a stale
# copy of it there keeps all of it alive (3.4.5, waiting in Thread#join,
# kept it until the wait had returned).
def garbage
  made = Array.new(600_000) { |i| "request-#{i}-" * 4 }
  made.each_slice(1000).map(&:first)
end
def work(wait, rss, now)
  queue = Queue.new
  pool = Thread.new { queue.pop }
  keep = Thread.new { garbage }.value
  GC.disable if wait == "disabled"
  count, live, pages, before = GC.count, GC.stat(:heap_live_slots), GC.stat(:heap_eden_pages), rss.()
  start = now.()
  waited = case wait
    when "select" then r, w = IO.pipe; IO.select([r], nil, nil, 2.5).inspect
    when "sleep" then sleep(2.5).to_s
    else pool.join(2.5).inspect
  end
  elapsed = now.() - start
  # What the wait saw, before anything here allocates again.
  gcs, major_by, live_after, pages_after, after = GC.count - count, GC.latest_gc_info(:major_by), GC.stat(:heap_live_slots), GC.stat(:heap_eden_pages), rss.()
  queue << 1
  pool.join
  intact = keep.each_with_index.all? { |s, i| s == "request-#{i * 1000}-" * 4 }
  puts "idle_gcs=#{gcs} major_by=#{major_by} live_before=#{live} live_after=#{live_after} " \
       "pages_before=#{pages} pages_after=#{pages_after} rss_before=#{before} rss_after=#{after} " \
       "waited=#{waited} elapsed_ms=#{(elapsed * 1000).round} intact=#{intact ? 1 : 0}"
end
if wait == "fork"
  Process.wait(fork { work("join", rss, now) })
  exit($?.exitstatus)
else
  work(wait, rss, now)
end'

for v in malloctrim jemalloc; do
  is_built $v || continue
  run $v join
  expect "$v: one full collection ran while the main thread waited in Thread#join (forced: major_by force)" "$(said idle_gcs) $(sed -n 's/.*major_by=\([a-z]*\).*/\1/p' "$T_TMP/stdout")" "1 force"
  check "$v: it freed the garbage (live slots $(said live_before) -> $(said live_after))" test "$(said live_after)" -lt $(($(said live_before) / 2))
  check "$v: and the empty heap pages (eden pages $(said pages_before) -> $(said pages_after))" test "$(said pages_after)" -lt $(($(said pages_before) / 2))
  expect "$v: the strings kept are intact" "$(said intact)" 1
  check "$v: Thread#join still waited its 2.5 s and timed out (nil after $(said elapsed_ms) ms)" \
    grep -Eq 'waited=nil elapsed_ms=(2[5-9][0-9][0-9]|3[0-4][0-9][0-9]) ' "$T_TMP/stdout"
  on=$(said rss_after)
  run $v join MEMLEAN_IDLE_MS=0
  expect "$v: MEMLEAN_IDLE_MS=0: no idle collection" "$(said idle_gcs)" 0
  off=$(said rss_after)
  check "$v: RSS after the idle collection is well below the run without it ($on KiB, without it $off KiB)" test "$on" -lt $((off * 3 / 4))

  run $v select
  expect "$v: from IO.select as well, which still returns nil at its timeout" "$(said idle_gcs) $(sed -n 's/.*waited=\([a-z]*\).*/\1/p' "$T_TMP/stdout")" "1 nil"
  run $v sleep
  check "$v: from sleep as well, which still sleeps its 2.5 s" test "$(said idle_gcs)" = 1 -a "$(said elapsed_ms)" -ge 2500
  run $v disabled
  expect "$v: under GC.disable, none" "$(said idle_gcs)" 0
  run $v join MEMLEAN_TRIM=0
  expect "$v: MEMLEAN_TRIM=0: none" "$(said idle_gcs)" 0
  rc=0
  run $v fork || rc=$?
  expect "$v: a forked child (a cluster worker) gets its own idle collection (exit $rc)" "$(said idle_gcs) $rc" "1 0"
done
if is_built normal; then
  run normal join
  expect "normal: no idle collection" "$(said idle_gcs)" 0
fi

finish
