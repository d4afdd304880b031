# Workload 2, request-like: a pool of THREADS threads serves REQUESTS
# requests; each builds a JSON document of 1-200 KB, generates and parses
# it, answers with a summary, and keeps the document in a small LRU cache
# (CACHE entries). Request n is seeded by n, so the work is the same however
# the threads interleave. Prints its work time and the bytes the cache keeps
# live, then idles SETTLE seconds for the sampler.
import gc, json, os, queue, random, threading, time
from collections import OrderedDict
threads = int(os.environ.get("BENCH_THREADS", "8"))
requests = int(os.environ.get("BENCH_REQUESTS", "1200"))
cache_size = int(os.environ.get("BENCH_CACHE", "256"))
settle = float(os.environ.get("BENCH_SETTLE_S", "1.5"))
work = queue.Queue()
for n in range(requests):
    work.put(n)
for _ in range(threads):
    work.put(None)
cache = OrderedDict()
lock = threading.Lock()
def serve():
    while (n := work.get()) is not None:
        rng = random.Random(n)
        target = rng.randint(1, 200) * 1024
        doc, size = [], 0
        while size < target:
            record = {"id": size, "name": "user-%d" % rng.randrange(100_000),
                      "tags": ["t%d" % rng.randrange(50) for _ in range(rng.randint(1, 6))],
                      "score": rng.random(), "note": "n" * rng.randint(20, 400)}
            doc.append(record)
            size += 120 + len(record["note"])
        body = json.dumps(doc)
        parsed = json.loads(body)
        json.dumps({"n": n, "sum": sum(r["score"] for r in parsed), "first": parsed[:10]})
        key = n % 997
        with lock:
            cache.pop(key, None)
            cache[key] = body
            while len(cache) > cache_size:
                cache.popitem(last=False)
t0 = time.monotonic()
pool = [threading.Thread(target=serve) for _ in range(threads)]
for t in pool: t.start()
for t in pool: t.join()
gc.collect()
elapsed = time.monotonic() - t0
live = sum(len(b) for b in cache.values())
print("work_s=%.3f live_bytes=%d threads=%d" % (elapsed, live, threads), flush=True)
time.sleep(settle)
