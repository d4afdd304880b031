# frozen_string_literal: true

# The app make bench-servers serves from Puma: a plain Rack app with the
# three kinds of work a JSON API server does (scripts/bench/servers):
#   GET /json?kb=N&seed=S    a document of about N KiB (1-200), rendered as JSON
#   GET /page?rows=N&seed=S  an HTML page from an ERB template (1-500 rows)
#   GET /cache?key=K         a document kept in a bounded LRU cache (K 0-9999):
#                            misses build and keep one, evicting the oldest
# Everything is built fresh per request (or per cache miss) from a seed, so
# the allocator sees the churn of a real server; nothing sleeps.
require "erb"
require "json"

module BenchApp
  WORDS = %w[alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike
             november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu].freeze
  CACHE_ENTRIES = 256

  # record: one entry of a document, about 300-900 bytes of JSON.
  def self.record(rng, id)
    words = Array.new(rng.rand(20..120)) { WORDS[rng.rand(WORDS.size)] }
    {
      "id" => id,
      "name" => "#{WORDS[rng.rand(WORDS.size)]}-#{rng.rand(1_000_000)}",
      "score" => rng.rand.round(6),
      "active" => rng.rand(2) == 1,
      "tags" => Array.new(rng.rand(1..6)) { WORDS[rng.rand(WORDS.size)] },
      "body" => words.join(" "),
      "stats" => { "views" => rng.rand(100_000), "likes" => rng.rand(5_000), "ratio" => rng.rand.round(4) }
    }
  end

  # document: records until about KB KiB of JSON.
  def self.document(kb, seed)
    rng = Random.new(seed)
    records = []
    bytes = 0
    while bytes < kb * 1024
      rec = record(rng, records.size)
      bytes += rec["body"].bytesize + 160
      records << rec
    end
    { "seed" => seed, "kb" => kb, "count" => records.size, "records" => records }
  end

  PAGE = ERB.new(File.read(File.join(__dir__, "templates", "page.erb")), trim_mode: "-")

  class Cache
    def initialize(entries)
      @entries = entries
      @store = {}
      @lock = Mutex.new
    end

    # fetch KEY: the cached document's JSON; a miss builds it and evicts the
    # least recently used entry when full (Ruby's Hash keeps insertion order).
    def fetch(key)
      @lock.synchronize do
        if (hit = @store.delete(key))
          @store[key] = hit
          return hit[:json]
        end
      end
      doc = BenchApp.document(8 + key % 57, key)
      entry = { doc: doc, json: JSON.generate(doc) }
      @lock.synchronize do
        @store[key] = entry
        @store.delete(@store.first[0]) while @store.size > @entries
      end
      entry[:json]
    end
  end

  class App
    def initialize
      @cache = Cache.new(CACHE_ENTRIES)
    end

    def call(env)
      params = parse(env["QUERY_STRING"])
      case env["PATH_INFO"]
      when "/json"
        kb = int(params, "kb", 1, 200) or return bad("kb must be 1-200")
        json(JSON.generate(BenchApp.document(kb, int(params, "seed", 0, 1 << 30) || 0)))
      when "/page"
        rows = int(params, "rows", 1, 500) or return bad("rows must be 1-500")
        doc = BenchApp.document(1, int(params, "seed", 0, 1 << 30) || 0)
        records = Array.new(rows) { |i| doc["records"][i % doc["records"].size] }
        html(PAGE.result_with_hash(title: "Report #{doc["seed"]}", records: records))
      when "/cache"
        key = int(params, "key", 0, 9999) or return bad("key must be 0-9999")
        json(@cache.fetch(key))
      when "/ping"
        [200, { "content-type" => "text/plain" }, ["ok\n"]]
      else
        [404, { "content-type" => "text/plain" }, ["not found\n"]]
      end
    end

    private

    def parse(query)
      (query || "").split("&").to_h { |pair| pair.split("=", 2).then { |k, v| [k, v.to_s] } }
    end

    def int(params, name, min, max)
      value = params[name]
      return nil unless value&.match?(/\A\d{1,10}\z/)

      value.to_i.clamp(min, max) == value.to_i ? value.to_i : nil
    end

    def json(body) = [200, { "content-type" => "application/json" }, [body]]
    def html(body) = [200, { "content-type" => "text/html; charset=utf-8" }, [body]]
    def bad(why) = [400, { "content-type" => "text/plain" }, ["#{why}\n"]]
  end

  # The practical limit (scripts/bench/servers sends SIGPWR after the idle
  # period): the best release known, from inside the app.
  # Process.warmup runs a full compacting GC, frees every empty heap page and
  # calls glibc's malloc_trim(0); a jemalloc in the process (memlean's or
  # Debian's in LD_PRELOAD) is then asked to purge every arena
  # (MALLCTL_ARENAS_ALL is 4096 in jemalloc 5). It prints how long that took
  # (the pause a compacting release would cost at idle) and the live bytes
  # as Ruby counts them: ObjectSpace.memsize_of_all, every object's slot and
  # what it holds outside it.
  MALLCTL = begin
    require "fiddle"
    Fiddle::Function.new(Fiddle.dlopen(nil)["mallctl"], [Fiddle::TYPE_VOIDP] * 4 + [Fiddle::TYPE_SIZE_T], Fiddle::TYPE_INT)
  rescue LoadError, Fiddle::DLError
    nil
  end
  require "objspace"

  def self.practical_limit
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    Process.warmup
    MALLCTL&.call("arena.4096.purge", nil, nil, nil, 0)
    ms = ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000).round
    $stderr.puts "memlean-bench: practical limit reached (pid #{Process.pid}) ms=#{ms} live_bytes=#{ObjectSpace.memsize_of_all}"
  end

  Signal.trap("PWR") { Thread.new { practical_limit } }
end
