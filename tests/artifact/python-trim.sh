#!/usr/bin/env bash
# CPython's GC hook, observed from outside by the preload probe: a
# collection of the oldest generation trims (malloctrim) or purges jemalloc
# (jemalloc); normal and MEMLEAN_TRIM=0 do neither; automatic full
# collections are rate-limited, gc.collect() is not; younger collections and
# interpreter shutdown never release; and the memory really goes back.
. "$(dirname "$0")/../lib.sh"

[ -f "$ROOT/out/tools/memlean-probe.so" ] || { fail "the probe is built (make tools)"; finish; }

# observe VARIANT FIELD PYTHON-CODE [ENV...]: the releaser thread off
# (python-releaser.sh tests it), so only the GC hook counts
observe() {
  local v=$1 field=$2 code=$3
  shift 3
  probe_count "$field" MEMLEAN_RELEASE_PERIOD_MS=0 "$@" "$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3" -c "$code"
}
for v in normal malloctrim jemalloc; do
  runtime_built "$PYTHON_RECIPE" "$v" python3 || true
done

three='import gc
for _ in range(3): gc.collect()
print(gc.get_stats()[2]["collections"])'
# Many self-referencing objects with a low threshold make CPython run
# automatic full collections (it rarely does otherwise).
churn='import gc
gc.set_threshold(100, 1, 1)
class Node: pass
keep = []
for i in range(200000):
    n = Node(); n.me = n
    if i % 10 == 0: keep.append(n)'

hook_contract() { # VARIANT FIELD OTHER-FIELD
  local v=$1 f=$2 other=$3 n base auto
  n=$(observe "$v" "$f" "$three" MEMLEAN_TRIM_INTERVAL_MS=0)
  expect "$v: with interval 0, every full collection releases once ($f = full collections = $(cat "$T_TMP/stdout"))" \
    "$n" "$(cat "$T_TMP/stdout")"
  base=$(observe "$v" "$f" 'pass' MEMLEAN_TRIM_INTERVAL_MS=0)
  check "$v: 3 x gc.collect() raise $f by at least 3 ($base -> $n)" test "$n" -ge $((base + 3))
  expect "$v: interpreter shutdown does not release" "$base" 0
  expect "$v: MEMLEAN_TRIM=0 switches it off" "$(observe "$v" "$f" "$three" MEMLEAN_TRIM=0 MEMLEAN_TRIM_INTERVAL_MS=0)" 0
  auto=$(observe "$v" "$f" "$churn" MEMLEAN_TRIM_INTERVAL_MS=0)
  n=$(observe "$v" "$f" "$churn" MEMLEAN_TRIM_INTERVAL_MS=60000)
  check "$v: automatic full collections are rate-limited ($auto releases with 0 ms, $n with 60000 ms)" \
    test "$auto" -ge 3 -a "$n" -eq 1
  expect "$v: gc.collect() always releases, whatever the interval" \
    "$(observe "$v" "$f" "$three" MEMLEAN_TRIM_INTERVAL_MS=60000)" 3
  expect "$v: collections of younger generations do not release" \
    "$(observe "$v" "$f" 'import gc; gc.collect(); [gc.collect(1) for _ in range(5)]' MEMLEAN_TRIM_INTERVAL_MS=0)" 1
  expect "$v: $other stays 0" "$(observe "$v" "$other" "$three" MEMLEAN_TRIM_INTERVAL_MS=0)" 0
}
hook_contract malloctrim malloc_trim jemalloc_purge
hook_contract jemalloc jemalloc_purge malloc_trim
expect "malloctrim: runs on glibc malloc (no jemalloc in the process)" "$(observe malloctrim jemalloc pass)" 0
expect "normal: gc.collect() never calls malloc_trim" "$(observe normal malloc_trim "$three" MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "normal: nor purges jemalloc" "$(observe normal jemalloc_purge "$three" MEMLEAN_TRIM_INTERVAL_MS=0)" 0

# The effect: 10 threads make 100 B-40 KB bytes objects (malloc'ed, above
# pymalloc's limit) and keep a tenth of them, three rounds, each ending with
# gc.collect(); RSS with the release against without. Only malloctrim is
# asserted: in this workload jemalloc had already purged the same pages
# without the hook (about 46 MiB either way, against 400 MiB on glibc), so
# the jemalloc hook is held to the probe-counted contract above.
bloat='import gc, threading
def work(out, i):
    out[i] = [bytes(100 + (j * 7919) % 40000) for j in range(4000)][::10]
for _ in range(3):
    out = [None] * 10
    ts = [threading.Thread(target=work, args=(out, i)) for i in range(10)]
    for t in ts: t.start()
    for t in ts: t.join()
    gc.collect()
print(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])'
python=$(build_path root "$PYTHON_RECIPE" malloctrim)/bin/python3
on=$("$python" -c "$bloat") off=$(MEMLEAN_TRIM=0 "$python" -c "$bloat")
check "malloctrim: RSS after gc.collect() is well below the untrimmed run ($on KiB vs $off KiB)" test "$on" -lt $((off * 3 / 4))

finish
