# Workload 2, request-like: a pool of THREADS threads serves REQUESTS
# requests; each builds a JSON document of 1-200 KB, generates and parses
# it, answers with a summary, and keeps the document in a small LRU cache
# (CACHE entries). Request n is seeded by n, so the work is the same however
# the threads interleave. Prints its work time and the bytes the cache keeps
# live, then idles SETTLE seconds for the sampler.
require "json"
threads = Integer(ENV.fetch("BENCH_THREADS", "8"))
requests = Integer(ENV.fetch("BENCH_REQUESTS", "1200"))
cache_size = Integer(ENV.fetch("BENCH_CACHE", "256"))
settle = Float(ENV.fetch("BENCH_SETTLE_S", "1.5"))
queue = Queue.new
requests.times { |n| queue << n }
threads.times { queue << nil }
cache = {}
lock = Mutex.new
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
threads.times.map do
  Thread.new do
    while (n = queue.pop)
      rng = Random.new(n)
      target = rng.rand(1..200) * 1024
      doc = []
      size = 0
      while size < target
        record = { "id" => size, "name" => "user-#{rng.rand(100_000)}", "tags" => Array.new(rng.rand(1..6)) { "t#{rng.rand(50)}" },
                   "score" => rng.rand, "note" => "n" * rng.rand(20..400) }
        doc << record
        size += 120 + record["note"].bytesize
      end
      body = JSON.generate(doc)
      parsed = JSON.parse(body)
      JSON.generate({ "n" => n, "sum" => parsed.sum { |r| r["score"] }, "first" => parsed.first(10) })
      key = n % 997
      lock.synchronize do
        cache.delete(key)
        cache[key] = body
        cache.shift while cache.size > cache_size
      end
    end
  end
end.each(&:join)
GC.start
work = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
live = cache.values.sum(&:bytesize)
puts format("work_s=%.3f live_bytes=%d threads=%d", work, live, threads)
$stdout.flush
sleep settle
