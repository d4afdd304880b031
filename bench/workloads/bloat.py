# Workload 1, the bloat reproducer: THREADS threads allocate strings of
# 100 B to 40 KB in ROUNDS rounds, each keeps about 10% of what it made,
# then one full GC. A fixed amount of work; prints its work time and the
# bytes it keeps live, then idles SETTLE seconds for the sampler.
import gc, os, random, sys, threading, time
threads = int(os.environ.get("BENCH_THREADS", "10"))
rounds = int(os.environ.get("BENCH_ROUNDS", "12"))
per_round = int(os.environ.get("BENCH_PER_ROUND", "1200"))
settle = float(os.environ.get("BENCH_SETTLE_S", "1.5"))
kept = [[] for _ in range(threads)]
def work(i):
    rng = random.Random(1000 + i)
    mine = kept[i]
    for _ in range(rounds):
        batch = ["x" * rng.randint(100, 40_000) for _ in range(per_round)]
        for s in batch:
            if rng.random() < 0.1:
                mine.append(s)
t0 = time.monotonic()
pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
for t in pool: t.start()
for t in pool: t.join()
gc.collect()
elapsed = time.monotonic() - t0
live = sum(len(s) for mine in kept for s in mine)
print("work_s=%.3f live_bytes=%d threads=%d" % (elapsed, live, threads), flush=True)
time.sleep(settle)
