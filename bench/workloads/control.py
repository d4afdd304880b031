# Workload 3, the negative control: one thread keeps ENTRIES long-lived
# small objects (a dict of short strings and small lists) and churns them:
# each of ROUNDS rounds replaces 10% at random. Memory should not move
# between variants. Prints its work time and the payload bytes it keeps
# live, then idles SETTLE seconds for the sampler.
import gc, os, random, time
entries = int(os.environ.get("BENCH_ENTRIES", "200000"))
rounds = int(os.environ.get("BENCH_ROUNDS", "25"))
settle = float(os.environ.get("BENCH_SETTLE_S", "1.5"))
rng = random.Random(7)
def make(i):
    return ("k%d-" % i + "v" * rng.randint(8, 80), [i, i * 2, rng.random()])
t0 = time.monotonic()
table = {i: make(i) for i in range(entries)}
for _ in range(rounds):
    for _ in range(entries // 10):
        i = rng.randrange(entries)
        table[i] = make(i)
gc.collect()
elapsed = time.monotonic() - t0
live = sum(len(s) + 8 * len(a) for s, a in table.values())
print("work_s=%.3f live_bytes=%d threads=%d" % (elapsed, live, 1), flush=True)
time.sleep(settle)
