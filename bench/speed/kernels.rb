# CPU kernels for scripts/bench/speed: pure-language work, no I/O, the same
# work as kernels.py. Run: ruby kernels.rb [SCALE] [REPS]. Prints one line
# per kernel, "<name> <seconds>", the best of REPS timed runs (after one
# untimed run), so that each process reports warm figures.
require "json"

def nbody(scale)
  bodies = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 39.47],
            [4.84, -1.16, -0.10, 0.61, 2.81, -0.02, 0.037],
            [8.34, 4.12, -0.40, -1.01, 1.82, 0.008, 0.011],
            [12.89, -15.11, -0.22, 1.08, 0.86, -0.01, 0.0017],
            [15.37, -25.91, 0.17, 0.97, 0.59, -0.03, 0.002]]
  pairs = bodies.combination(2).to_a
  dt = 0.01
  (50000 * scale).times do
    pairs.each do |a, b|
      dx = a[0] - b[0]; dy = a[1] - b[1]; dz = a[2] - b[2]
      mag = dt / ((dx * dx + dy * dy + dz * dz)**1.5)
      bm = b[6] * mag; am = a[6] * mag
      a[3] -= dx * bm; a[4] -= dy * bm; a[5] -= dz * bm
      b[3] += dx * am; b[4] += dy * am; b[5] += dz * am
    end
    bodies.each { |body| body[0] += dt * body[3]; body[1] += dt * body[4]; body[2] += dt * body[5] }
  end
  (bodies[0][0] * 1000).to_i
end

def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)

def recursion(scale) = (20 * scale).times.sum { fib(25) }

def make_tree(depth) = depth.zero? ? [nil, nil] : [make_tree(depth - 1), make_tree(depth - 1)]

def check_tree(node)
  left, right = node
  left.nil? ? 1 : 1 + check_tree(left) + check_tree(right)
end

def binary_trees(scale) = (40 * scale).times.sum { check_tree(make_tree(14)) }

def json_roundtrip(scale)
  doc = { "users" => (0...500).map { |i| { "id" => i, "name" => "user#{i}", "tags" => %w[a b c],
                                           "score" => i * 1.5, "active" => i.even? } } }
  (200 * scale).times.sum { JSON.parse(JSON.generate(doc))["users"].size }
end

def regex(scale)
  text = (0...2000).map { |i| "GET /api/v#{i % 3}/items/#{i}?page=#{i % 7} HTTP/1.1 user#{i}@example.org" }.join(" ")
  pattern = %r{/api/v(\d)/items/(\d+)\?page=(\d+)|(\w+)@(\w+)\.org}
  (50 * scale).times.sum { text.scan(pattern).size }
end

def string_building(scale)
  (20 * scale).times.sum do
    parts = []
    20000.times { |i| parts << "item-" + i.to_s + ":" + ("x" * (i % 7)) }
    parts.join(",").upcase.split(",").size
  end
end

def sort_and_dict(scale)
  (60 * scale).times.sum do |r|
    data = (0...20000).map { |i| (i * 7919 + r) % 10007 }
    counts = Hash.new(0)
    data.each { |x| counts[x % 1000] += 1 }
    data.sort[100] + counts.size
  end
end

def generators(scale)
  numbers = Enumerator.new do |y|
    i = 0
    while i < 100000
      y << i
      i += 1
    end
  end
  (20 * scale).times.sum { numbers.lazy.select { |x| x % 3 != 0 }.map { |x| x * 2 }.sum }
end

KERNELS = { "nbody" => :nbody, "recursion" => :recursion, "binary_trees" => :binary_trees,
            "json" => :json_roundtrip, "regex" => :regex, "strings" => :string_building,
            "sort_dict" => :sort_and_dict, "generators" => :generators }.freeze

scale = Integer(ARGV[0] || 1)
reps = Integer(ARGV[1] || 3)
KERNELS.each do |name, kernel|
  send(kernel, scale)
  best = reps.times.map do
    start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    send(kernel, scale)
    Process.clock_gettime(Process::CLOCK_MONOTONIC) - start
  end.min
  $stdout.puts format("%s %.6f", name, best)
  $stdout.flush
end
