-- The request mix of make bench-servers, for wrk (-s mix.lua). Each wrk
-- thread draws its requests from its own seeded generator, so every run
-- sends the same mix:
--   45% /json with a small document (1-16 KiB), 10% /json with a large one
--   (50-200 KiB), 25% /page (20-200 rows), 20% /cache (1024 keys, 256 kept).
-- MIX_STOP_AFTER=N (the first requests after an idle period): each wrk
-- thread stops once it has N answers.
-- At the end it prints one line scripts/bench/servers reads:
--   wrk-summary requests=N duration_us=N bytes=N connect=N read=N write=N
--   status=N timeout=N p50_us=N p99_us=N max_us=N
-- (status: answers with a status of 400 or more, as wrk counts them; the
-- app answers 200 or 4xx/5xx, never 1xx or 3xx).
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  math.randomseed(1000 + id)
end

local stop_after = tonumber(os.getenv("MIX_STOP_AFTER") or "")
if stop_after then
  local answered = 0
  function response(status, headers, body)
    answered = answered + 1
    if answered >= stop_after then
      wrk.thread:stop()
    end
  end
end

function request()
  local r = math.random(100)
  local path
  if r <= 45 then
    path = "/json?kb=" .. math.random(1, 16) .. "&seed=" .. math.random(0, 99999)
  elseif r <= 55 then
    path = "/json?kb=" .. math.random(50, 200) .. "&seed=" .. math.random(0, 99999)
  elseif r <= 80 then
    path = "/page?rows=" .. math.random(20, 200) .. "&seed=" .. math.random(0, 99999)
  else
    path = "/cache?key=" .. math.random(0, 1023)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-summary requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
