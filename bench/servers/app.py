"""The app make bench-servers serves from gunicorn: a Flask app with the
three kinds of work a JSON API server does (scripts/bench/servers):
  GET /json?kb=N&seed=S    a document of about N KiB (1-200), rendered as JSON
  GET /page?rows=N&seed=S  an HTML page from a Jinja2 template (1-500 rows)
  GET /cache?key=K         a document kept in a bounded LRU cache (K 0-9999):
                           misses build and keep one, evicting the oldest
Everything is built fresh per request (or per cache miss) from a seed, so the
allocator sees the churn of a real server; nothing sleeps. The same work as
app.rb, Puma's app."""
import collections
import ctypes
import gc
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time

from flask import Flask, Response, render_template, request

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
CACHE_ENTRIES = 256
NUMBER = re.compile(r"\d{1,10}\Z")

app = Flask(__name__)


def record(rng, id_):
    """One entry of a document, about 300-900 bytes of JSON."""
    words = [WORDS[rng.randrange(len(WORDS))] for _ in range(rng.randint(20, 120))]
    return {
        "id": id_,
        "name": f"{WORDS[rng.randrange(len(WORDS))]}-{rng.randrange(1_000_000)}",
        "score": round(rng.random(), 6),
        "active": rng.randrange(2) == 1,
        "tags": [WORDS[rng.randrange(len(WORDS))] for _ in range(rng.randint(1, 6))],
        "body": " ".join(words),
        "stats": {"views": rng.randrange(100_000), "likes": rng.randrange(5_000), "ratio": round(rng.random(), 4)},
    }


def document(kb, seed):
    """Records until about KB KiB of JSON."""
    rng = random.Random(seed)
    records, size = [], 0
    while size < kb * 1024:
        rec = record(rng, len(records))
        size += len(rec["body"]) + 160
        records.append(rec)
    return {"seed": seed, "kb": kb, "count": len(records), "records": records}


class Cache:
    def __init__(self, entries):
        self.entries = entries
        self.store = collections.OrderedDict()
        self.lock = threading.Lock()

    def fetch(self, key):
        """The cached document's JSON; a miss builds it and evicts the least
        recently used entry when full."""
        with self.lock:
            hit = self.store.get(key)
            if hit is not None:
                self.store.move_to_end(key)
                return hit[1]
        doc = document(8 + key % 57, key)
        entry = (doc, json.dumps(doc))
        with self.lock:
            self.store[key] = entry
            while len(self.store) > self.entries:
                self.store.popitem(last=False)
        return entry[1]


cache = Cache(CACHE_ENTRIES)


def number(name, low, high, default=None):
    value = request.args.get(name)
    if value is None or not NUMBER.match(value):
        return default
    value = int(value)
    return value if low <= value <= high else None


def bad(why):
    return Response(why + "\n", status=400, mimetype="text/plain")


@app.get("/json")
def json_document():
    kb = number("kb", 1, 200)
    if kb is None:
        return bad("kb must be 1-200")
    return Response(json.dumps(document(kb, number("seed", 0, 1 << 30, 0) or 0)), mimetype="application/json")


@app.get("/page")
def page():
    rows = number("rows", 1, 500)
    if rows is None:
        return bad("rows must be 1-500")
    doc = document(1, number("seed", 0, 1 << 30, 0) or 0)
    records = [doc["records"][i % len(doc["records"])] for i in range(rows)]
    return render_template("page.html", title=f"Report {doc['seed']}", records=records)


@app.get("/cache")
def cached():
    key = number("key", 0, 9999)
    if key is None:
        return bad("key must be 0-9999")
    return Response(cache.fetch(key), mimetype="application/json")


@app.get("/ping")
def ping():
    return Response("ok\n", mimetype="text/plain")


# The practical limit (scripts/bench/servers sends SIGPWR after the idle
# period): the best release known, from inside the app: a full collection,
# glibc's malloc_trim(0), and a purge of every arena of a jemalloc in the
# process (memlean's or Debian's in LD_PRELOAD; MALLCTL_ARENAS_ALL is 4096
# in jemalloc 5). It prints how long that took and the live bytes as
# CPython counts them: pymalloc's
# allocated blocks (from sys._debugmallocstats()) plus what malloc has in
# use (jemalloc's stats.allocated, or glibc's mallinfo2()); "-" under
# PYTHONMALLOC=mimalloc, whose statistics count only the calling thread's
# heap, not those the request threads allocated from. Loaded here, not in
# the handler, so that it allocates little then.
LIBC = ctypes.CDLL(None)
MALLCTL = getattr(LIBC, "mallctl", None)
ALLOCATED = re.compile(rb"# bytes in allocated blocks *= *([0-9,]+)")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


LIBC.mallinfo2.restype = MallInfo2


def malloc_in_use():
    if MALLCTL is not None:
        epoch = ctypes.c_uint64(1)
        allocated = ctypes.c_size_t(0)
        size = ctypes.c_size_t(ctypes.sizeof(allocated))
        MALLCTL(b"epoch", None, None, ctypes.byref(epoch), ctypes.c_size_t(ctypes.sizeof(epoch)))
        if MALLCTL(b"stats.allocated", ctypes.byref(allocated), ctypes.byref(size), None, ctypes.c_size_t(0)) == 0:
            return allocated.value
    info = LIBC.mallinfo2()
    return info.uordblks + info.hblkhd


def object_allocator_in_use():
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as stats:
        os.dup2(stats.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        stats.seek(0)
        found = ALLOCATED.search(stats.read())
    return int(found.group(1).replace(b",", b"")) if found else None


def rss_kb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def practical_limit(signum, frame):
    rss_before = rss_kb()
    started = time.monotonic()
    gc.collect()
    LIBC.malloc_trim(0)
    if MALLCTL is not None:
        MALLCTL(b"arena.4096.purge", None, None, None, ctypes.c_size_t(0))
    ms = round((time.monotonic() - started) * 1000)
    rss_after = rss_kb()
    pymalloc = object_allocator_in_use()
    live = "-" if pymalloc is None else pymalloc + malloc_in_use()
    print(f"memlean-bench: practical limit reached (pid {os.getpid()}) rss_before_kb={rss_before} rss_after_kb={rss_after} ms={ms} live_bytes={live}",
          file=sys.stderr, flush=True)


signal.signal(signal.SIGPWR, practical_limit)
