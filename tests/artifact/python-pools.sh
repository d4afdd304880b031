#!/usr/bin/env bash
# pymalloc's empty pools (patches/python/3.13/obmalloc-release-pools.patch),
# observed from outside: a program leaves one small object in two thousand
# alive, so every arena keeps a block and pymalloc unmaps none, and most of
# its pools are empty. A full collection (gc.collect()) gives their pages
# back, and so does the memlean-release thread, through a pending call, when
# the program goes quiet with no collection at all (counted by the preload
# probe as madvise(MADV_DONTNEED) calls; RSS falls); the pools are reused
# afterwards with the right contents; a forked child releases its own;
# normal and MEMLEAN_TRIM=0 never release.
. "$(dirname "$0")/../lib.sh"

[ -f "$ROOT/out/tools/memlean-probe.so" ] || { fail "the probe is built (make tools)"; finish; }
built_variants "$PYTHON_RECIPE" python3

# observe VARIANT MODE [ENV...]: the probe's madvise_dontneed count for the
# workload below run in MODE; what it printed is left in $T_TMP/stdout.
observe() {
  local v=$1 mode=$2
  shift 2
  probe_count madvise_dontneed timeout -k 5 120 env "$@" "$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3" -c "$pools" "$mode"
}

# Modes: gc (then gc.collect()), quiet (the main thread sleeps in short
# steps, as a server's main loop does), fork (the child does it all and
# goes quiet; its report comes first).
pools='import gc, os, sys, time
mode = sys.argv[1]
gc.disable()
def rss():
    with open("/proc/self/status") as f:
        return int(next(l.split()[1] for l in f if l.startswith("VmRSS")))
def fragment():
    objs = [(i, -i) for i in range(1500000)]
    keep = objs[::2000]
    del objs
    return keep
def reused():
    again = [(i, str(i)) for i in range(1500000)]
    return all(a == int(b) for a, b in again) and len(again) == 1500000
if mode == "fork":
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
keep = fragment()
before = rss()
if mode == "gc":
    gc.collect()
else:
    for _ in range(30):
        time.sleep(0.1)
after = rss()
ok = all(t == (i * 2000, -i * 2000) for i, t in enumerate(keep)) and reused()
print("full_gcs=%d rss_before=%d rss_after=%d intact=%d" % (gc.get_stats()[2]["collections"], before, after, ok))'

for v in malloctrim jemalloc; do
  is_built $v || continue
  n=$(observe $v gc MEMLEAN_RELEASE_PERIOD_MS=0)
  check "$v: gc.collect() gives back the empty pools of arenas still in use ($n madvise calls, $(probe_field madvise_dontneed_bytes "$T_TMP/probe.log") bytes)" test "${n:-0}" -ge 1000
  expect "$v: the objects kept and the pools reused afterwards hold what they should" "$(said intact)" 1
  on=$(said rss_after) before=$(said rss_before)
  expect "$v: MEMLEAN_TRIM=0: no pool released" "$(observe $v gc MEMLEAN_TRIM=0)" 0
  off=$(said rss_after)
  check "$v: RSS after gc.collect() is well below the run with MEMLEAN_TRIM=0 ($on KiB, with it off $off KiB; $before KiB before)" \
    test "$on" -lt $((off * 6 / 10))

  n=$(observe $v quiet MEMLEAN_RELEASE_PERIOD_MS=100)
  expect "$v: quiet with no collection at all (full collections: 0)" "$(said full_gcs)" 0
  check "$v: the memlean-release thread has the main thread give the pools back when the program goes quiet ($n madvise calls)" test "${n:-0}" -ge 1000
  check "$v: RSS falls while quiet ($(said rss_before) KiB -> $(said rss_after) KiB)" test "$(said rss_after)" -lt $(($(said rss_before) * 6 / 10))
  expect "$v: and the pools are reused intact" "$(said intact)" 1
  expect "$v: MEMLEAN_RELEASE_PERIOD_MS=0: no thread, nothing released while quiet" "$(observe $v quiet MEMLEAN_RELEASE_PERIOD_MS=0)" 0

  rc=0
  n=$(observe $v fork MEMLEAN_RELEASE_PERIOD_MS=100) || rc=$?
  check "$v: a forked child releases its own pools when it goes quiet ($n madvise calls, exit $rc) and reuses them intact" \
    test "${n:-0}" -ge 1000 -a "$rc" = 0 -a "$(said intact)" = 1
done
if is_built normal; then
  expect "normal: gc.collect() releases no pool" "$(observe normal gc)|$(said intact)" "0|1"
  expect "normal: nor does going quiet" "$(observe normal quiet)" 0
fi

finish
