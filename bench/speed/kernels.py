"""CPU kernels for scripts/bench/speed: pure-language work, no I/O, the same
work as kernels.rb. Run: python3 kernels.py [SCALE] [REPS]. Prints one line
per kernel, "<name> <seconds>", the best of REPS timed runs (after one
untimed run), so that each process reports warm figures."""
import json
import re
import sys
import time


def nbody(scale):
    bodies = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 39.47],
              [4.84, -1.16, -0.10, 0.61, 2.81, -0.02, 0.037],
              [8.34, 4.12, -0.40, -1.01, 1.82, 0.008, 0.011],
              [12.89, -15.11, -0.22, 1.08, 0.86, -0.01, 0.0017],
              [15.37, -25.91, 0.17, 0.97, 0.59, -0.03, 0.002]]
    pairs = [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)]
    dt = 0.01
    for _ in range(50000 * scale):
        for a, b in pairs:
            dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
            mag = dt / ((dx * dx + dy * dy + dz * dz) ** 1.5)
            bm, am = b[6] * mag, a[6] * mag
            a[3] -= dx * bm; a[4] -= dy * bm; a[5] -= dz * bm
            b[3] += dx * am; b[4] += dy * am; b[5] += dz * am
        for body in bodies:
            body[0] += dt * body[3]; body[1] += dt * body[4]; body[2] += dt * body[5]
    return int(bodies[0][0] * 1000)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def recursion(scale):
    return sum(fib(25) for _ in range(20 * scale))


def make_tree(depth):
    return (None, None) if depth == 0 else (make_tree(depth - 1), make_tree(depth - 1))


def check_tree(node):
    left, right = node
    return 1 if left is None else 1 + check_tree(left) + check_tree(right)


def binary_trees(scale):
    return sum(check_tree(make_tree(14)) for _ in range(40 * scale))


def json_roundtrip(scale):
    doc = {"users": [{"id": i, "name": "user%d" % i, "tags": ["a", "b", "c"],
                      "score": i * 1.5, "active": i % 2 == 0} for i in range(500)]}
    n = 0
    for _ in range(200 * scale):
        n += len(json.loads(json.dumps(doc))["users"])
    return n


def regex(scale):
    text = " ".join("GET /api/v%d/items/%d?page=%d HTTP/1.1 user%d@example.org" % (i % 3, i, i % 7, i)
                    for i in range(2000))
    pattern = re.compile(r"/api/v(\d)/items/(\d+)\?page=(\d+)|(\w+)@(\w+)\.org")
    n = 0
    for _ in range(50 * scale):
        n += sum(1 for _ in pattern.finditer(text))
    return n


def string_building(scale):
    n = 0
    for _ in range(20 * scale):
        parts = []
        for i in range(20000):
            parts.append("item-" + str(i) + ":" + ("x" * (i % 7)))
        s = ",".join(parts)
        n += len(s.upper().split(","))
    return n


def sort_and_dict(scale):
    n = 0
    for r in range(60 * scale):
        data = [(i * 7919 + r) % 10007 for i in range(20000)]
        counts = {}
        for x in data:
            counts[x % 1000] = counts.get(x % 1000, 0) + 1
        n += sorted(data)[100] + len(counts)
    return n


def generators(scale):
    def numbers(limit):
        i = 0
        while i < limit:
            yield i
            i += 1
    n = 0
    for _ in range(20 * scale):
        n += sum(x * 2 for x in numbers(100000) if x % 3)
    return n


KERNELS = [("nbody", nbody), ("recursion", recursion), ("binary_trees", binary_trees),
           ("json", json_roundtrip), ("regex", regex), ("strings", string_building),
           ("sort_dict", sort_and_dict), ("generators", generators)]


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for name, kernel in KERNELS:
        kernel(scale)
        best = None
        for _ in range(reps):
            start = time.perf_counter()
            kernel(scale)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        print("%s %.6f" % (name, best), flush=True)


main()
