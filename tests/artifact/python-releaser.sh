#!/usr/bin/env bash
# CPython's releaser thread (patches/common/release-memory/memlean_release_memory.h, started in
# _PyGC_Init for the main interpreter), observed from outside: a process that
# runs no collection at all gets the memory it freed by reference counting
# released by the thread named memlean-release (counted by the preload
# probe), and its RSS falls; normal has no such thread and never releases;
# MEMLEAN_TRIM=0 and MEMLEAN_RELEASE_PERIOD_MS=0 give none; os.fork() does
# not count it among the threads it warns about, while the child gets its
# own releaser; a fork-heavy multiprocessing pool neither hangs nor
# fails.
. "$(dirname "$0")/../lib.sh"

[ -f "$ROOT/out/tools/memlean-probe.so" ] || { fail "the probe is built (make tools)"; finish; }
built_variants "$PYTHON_RECIPE" python3

# observe VARIANT FIELD PYTHON-CODE [ENV...]: FIELD of the probe's report;
# what the code printed is left in $T_TMP/stdout.
observe() {
  local v=$1 field=$2 code=$3
  shift 3
  probe_count "$field" timeout -k 5 120 env "$@" "$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3" -c "$code"
}

# No collection at all: gc.disable(), then 10 threads each make 1000
# buffers of 1-40 KB and drop nine in ten of them (freed by reference
# counting, scattered over the heap); then the process idles.
nogc='import gc, os, threading, time
gc.disable()
before = sum(s["collections"] for s in gc.get_stats())
def rss():
    with open("/proc/self/status") as f:
        return next(l.split()[1] for l in f if l.startswith("VmRSS"))
def work(out):
    made = [bytearray(1000 + (i * 7919) % 40000) for i in range(1000)]
    out.extend(made[::10])
kept = [[] for _ in range(10)]
threads = [threading.Thread(target=work, args=(k,)) for k in kept]
for t in threads: t.start()
for t in threads: t.join()
after_work = rss()
time.sleep(2.5)
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print("gcs=%d rss_work=%s rss_idle=%s threads=%d kept=%d" % (sum(s["collections"] for s in gc.get_stats()) - before, after_work, rss(),
      names.count("memlean-release"), sum(map(len, kept))))'

for v in malloctrim jemalloc; do
  is_built $v || continue
  f=malloc_trim
  [ $v = malloctrim ] || f=jemalloc_purge
  n=$(observe $v releaser "$nogc")
  expect "$v: the program ran no collection at all" "$(said gcs)" 0
  check "$v: the memlean-release thread released what it freed ($n releases, $f $(probe_field $f "$T_TMP/probe.log"))" test "${n:-0}" -ge 1
  expect "$v: one thread named memlean-release" "$(said threads)" 1
  on=$(said rss_idle) work=$(said rss_work)
  observe $v releaser "$nogc" MEMLEAN_RELEASE_PERIOD_MS=0 >/dev/null
  off=$(said rss_idle)
  check "$v: RSS after 2.5 s idle is well below the run without the thread ($on KiB, without it $off KiB; $work KiB after the work)" \
    test "$on" -lt $((off * 3 / 4))
  expect "$v: MEMLEAN_RELEASE_PERIOD_MS=0: no thread, no release from one" "$(observe $v releaser "$nogc" MEMLEAN_RELEASE_PERIOD_MS=0)|$(said threads)" "0|0"
  expect "$v: MEMLEAN_TRIM=0: no thread, no release at all" "$(observe $v $f "$nogc" MEMLEAN_TRIM=0)|$(said threads)" "0|0"
done
! is_built normal || expect "normal: no thread, no malloc_trim" "$(observe normal malloc_trim "$nogc")|$(said threads)" "0|0"
! is_built normal || expect "normal: no jemalloc purge" "$(observe normal jemalloc_purge "$nogc")" 0

# os.fork() warns (3.12+: DeprecationWarning, shown with -W always) when
# /proc/self/stat counts more than one thread once fork() returns; memlean's
# thread must not be counted there. A Python thread of the program's own is
# (the control: the check can fail).
fork_once='import os, sys, threading
if sys.argv[1:] == ["thread"]:
    e = threading.Event(); threading.Thread(target=e.wait).start()
pid = os.fork()
if pid == 0:
    names = [open("/proc/self/task/%s/comm" % t).read().strip() for t in os.listdir("/proc/self/task")]
    os._exit(0 if "memlean-release" in names else 3)
_, status = os.waitpid(pid, 0)
names = [open("/proc/self/task/%s/comm" % t).read().strip() for t in os.listdir("/proc/self/task")]
print("child_status=%d parent_threads=%d" % (os.waitstatus_to_exitcode(status), names.count("memlean-release")))
if sys.argv[1:] == ["thread"]: e.set()'
# fork_warns VARIANT [ARG]: "warned" or "quiet"; the run's status must be 0.
fork_warns() {
  local py rc=0
  py=$(build_path root "$PYTHON_RECIPE" "$1")/bin/python3
  timeout -k 5 60 "$py" -W always -c "$fork_once" ${2:+"$2"} >"$T_TMP/stdout" 2>"$T_TMP/stderr" || rc=$?
  [ $rc = 0 ] || { echo "failed ($rc): $(tail -n 3 "$T_TMP/stderr")"; return; }
  if grep -q 'is multi-threaded, use of fork()' "$T_TMP/stderr"; then echo warned; else echo quiet; fi
}
# Fork-heavy: a thread allocates and frees while a fork-context pool of 4
# runs 200 tasks that allocate and free, and 40 plain forks follow.
pool='import multiprocessing as mp, os, threading
def task(i):
    return sum(len(bytearray(2000 + (j * 7919) % 30000)) for j in range(200)) + i
def churn(stop):
    while not stop.is_set():
        [bytearray(5000) for _ in range(100)]
if __name__ == "__main__":
    stop = threading.Event()
    t = threading.Thread(target=churn, args=(stop,)); t.start()
    with mp.get_context("fork").Pool(4) as p:
        results = p.map(task, range(200))
    failed = 0
    for _ in range(40):
        pid = os.fork()
        if pid == 0:
            [bytearray(3000) for _ in range(300)]
            os._exit(0)
        failed += os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0
    stop.set(); t.join()
    print(f"tasks={len(results)} failed_forks={failed}")'
for v in normal malloctrim jemalloc; do
  is_built $v || continue
  if [ $v = normal ]; then
    expect "$v: os.fork() does not warn about threads" "$(fork_warns $v)" quiet
  else
    expect "$v: os.fork() does not count memlean-release among the threads it warns about" "$(fork_warns $v)" quiet
    expect "$v: the child has its own memlean-release thread, the parent has its own back" \
      "$(said child_status) $(said parent_threads)" "0 1"
  fi
  if [ "$("$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3" -c 'import sys; print(sys.version_info >= (3, 12))')" = True ]; then
    expect "$v: the control: with a thread of the program's own, os.fork() warns" "$(fork_warns $v thread)" warned
  else
    pass "$v: the control # SKIP os.fork() warns about threads from CPython 3.12 on"
  fi
  [ $v = normal ] && continue
  rc=0
  observe $v releaser "$pool" MEMLEAN_RELEASE_PERIOD_MS=1 >/dev/null 2>"$T_TMP/stderr" || rc=$?
  expect "$v: a fork-context pool (200 tasks) and 40 forks while a thread allocates and the releaser wakes every ms: no hang, nothing failed" \
    "$rc $(said tasks) $(said failed_forks)" "0 200 0"
done

finish
