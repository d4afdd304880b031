# Workload 3, the negative control: one thread keeps ENTRIES long-lived
# small objects (a Hash of short strings and small arrays) and churns them:
# each of ROUNDS rounds replaces 10% at random. Memory should not move
# between variants. Prints its work time and the payload bytes it keeps
# live, then idles SETTLE seconds for the sampler.
entries = Integer(ENV.fetch("BENCH_ENTRIES", "200000"))
rounds = Integer(ENV.fetch("BENCH_ROUNDS", "25"))
settle = Float(ENV.fetch("BENCH_SETTLE_S", "1.5"))
rng = Random.new(7)
make = ->(i) { ["k#{i}-" + "v" * rng.rand(8..80), [i, i * 2, rng.rand]] }
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
table = {}
entries.times { |i| table[i] = make.(i) }
rounds.times do
  (entries / 10).times { i = rng.rand(entries); table[i] = make.(i) }
end
GC.start
work = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
live = table.each_value.sum { |s, a| s.bytesize + 8 * a.size }
puts format("work_s=%.3f live_bytes=%d threads=%d", work, live, 1)
$stdout.flush
sleep settle
