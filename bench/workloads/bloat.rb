# Workload 1, the bloat reproducer: THREADS threads allocate strings of
# 100 B to 40 KB in ROUNDS rounds, each keeps about 10% of what it made,
# then one full GC. A fixed amount of work; prints its work time and the
# bytes it keeps live, then idles SETTLE seconds for the sampler.
threads = Integer(ENV.fetch("BENCH_THREADS", "10"))
rounds = Integer(ENV.fetch("BENCH_ROUNDS", "12"))
per_round = Integer(ENV.fetch("BENCH_PER_ROUND", "1200"))
settle = Float(ENV.fetch("BENCH_SETTLE_S", "1.5"))
kept = Array.new(threads) { [] }
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
threads.times.map do |i|
  Thread.new do
    rng = Random.new(1000 + i)
    rounds.times do
      batch = Array.new(per_round) { "x" * rng.rand(100..40_000) }
      batch.each { |s| kept[i] << s if rng.rand < 0.1 }
    end
  end
end.each(&:join)
GC.start
work = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
live = kept.sum { |list| list.sum(&:bytesize) }
puts format("work_s=%.3f live_bytes=%d threads=%d", work, live, threads)
$stdout.flush
sleep settle
