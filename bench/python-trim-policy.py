#!/usr/bin/env python3
# Usage: WORK=acyclic|cyclic POLICY=none|full|young <python3> bench/python-trim-policy.py
# (POLICY=none on the normal build, full and young on the malloctrim build).
# Results and the choice they led to: README, "Trim policy in CPython".
# Trim-policy experiment: 8 threads serve bursts of "requests" with idle gaps.
# POLICY=none|full|young. full: the malloctrim build's own hook (after
# automatic full collections, rate-limited). young: additionally
# malloc_trim(0) from a gc callback after younger collections that freed
# >= MIN objects, at most once per INTERVAL s; called through PyDLL so the
# GIL stays held, as in the built-in hook.
import ctypes, gc, os, threading, time
policy = os.environ.get("POLICY", "none")
work_kind = os.environ.get("WORK", "acyclic")
interval = float(os.environ.get("INTERVAL", "1"))
min_freed = int(os.environ.get("MIN", "100"))
libc = ctypes.PyDLL("libc.so.6")
trims = [0, 0.0]
last = [0.0]
def cb(phase, info):
    if phase != "stop" or info["generation"] == 2 or info["collected"] < min_freed:
        return
    now = time.monotonic()
    if now - last[0] < interval:
        return
    last[0] = now
    t = time.perf_counter(); libc.malloc_trim(0); trims[1] += time.perf_counter() - t; trims[0] += 1
if policy == "young":
    gc.callbacks.append(cb)
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 // (1 << 20)
cache = []
lock = threading.Lock()
def request(i):
    if work_kind == "cyclic":
        objs = []
        for j in range(3000):
            d = {"k": "v" * (50 + (i * j) % 2000)}; d["self"] = d; objs.append(d)
    else:
        objs = [{"k": "v" * (50 + (i * j) % 2000), "n": [j] * 8} for j in range(3000)]
    if i % 50 == 0:
        with lock:
            cache.append(objs[:200])
    return len(objs)
def worker(n, seed):
    for i in range(n):
        request(seed * 1000 + i)
samples = []
t0 = time.perf_counter()
for burst in range(4):
    ts = [threading.Thread(target=worker, args=(150, k)) for k in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    samples.append(rss())
    time.sleep(1.2)
    samples.append(rss())
work = time.perf_counter() - t0 - 4 * 1.2
print(f"work={work_kind} policy={policy} work_s={work:.2f} rss_end_of_burst={samples[0::2]} rss_after_idle={samples[1::2]} "
      f"young_trims={trims[0]} young_trim_ms={trims[1]*1000:.0f} collections={[c['collections'] for c in gc.get_stats()]}")
