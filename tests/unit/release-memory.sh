#!/usr/bin/env bash
# The release's own logic (patches/common/release-memory/
# memlean_release_memory.h, the file the build copies into each runtime's
# source tree), compiled as it is into tiny programs and observed through
# the preload probe: the GC hook (the switch, the interval bound, bad knob values, the build failing
# closed) and the releaser thread (quiet and busy processes, no GC at all,
# the switch, fork, shutdown, the arena cap).
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
[ -f "$probe" ] || { fail "the probe is built (run: make tools)"; finish; }
src=$ROOT/patches/common/release-memory
cat >"$T_TMP/gc.c" <<'C'
#include "memlean_release_memory.h"
#include <stdlib.h>
int main(int argc, char **argv)
{
    for (int i = 0, n = argc > 1 ? atoi(argv[1]) : 1; i < n; i++)
        memlean_release_memory_after_full_gc(argc > 2);
    return 0;
}
C
# build NAME VARIANT-HEADER-LINES [CFLAGS...]
build() {
  local out=$T_TMP/$1 header=$2
  shift 2
  mkdir -p "$out"
  printf '%s\n' "$header" >"$out/memlean_variant.h"
  gcc -Wall -Wextra -Werror -I"$out" -I"$src" "$@" -o "$out/gc" "$T_TMP/gc.c" 2>"$out/cc.err"
}
# trims PROGRAM GCS [ENV...]: the malloc_trim count the probe reports after
# GCS automatic full GCs (GCS=<n>r: n requested ones).
trims() {
  local prog=$1 gcs=${2%r} requested=()
  [ "$2" = "$gcs" ] || requested=(requested)
  shift 2
  env "$@" MEMLEAN_PROBE_LOG="$T_TMP/probe.log" LD_PRELOAD="$probe" "$prog" "$gcs" ${requested[@]+"${requested[@]}"} 2>"$T_TMP/stderr"
  sed -n 's/.*malloc_trim=\([0-9]*\).*/\1/p' "$T_TMP/probe.log"
  rm -f "$T_TMP/probe.log"
}

build trim '#define MEMLEAN_VARIANT "malloctrim"
#define MEMLEAN_RELEASE_WITH_MALLOC_TRIM 1' -DHAVE_MALLOC_TRIM=1
prog=$T_TMP/trim/gc
expect "one full GC trims once" "$(trims "$prog" 1)" 1
expect "back-to-back GCs trim once within the default interval" "$(trims "$prog" 5)" 1
expect "requested GCs trim every time, whatever the interval" "$(trims "$prog" 5r MEMLEAN_TRIM_INTERVAL_MS=60000)" 5
expect "MEMLEAN_TRIM=0 also stops requested trims" "$(trims "$prog" 5r MEMLEAN_TRIM=0)" 0
expect "MEMLEAN_TRIM_INTERVAL_MS=0 trims after every GC" "$(trims "$prog" 5 MEMLEAN_TRIM_INTERVAL_MS=0)" 5
expect "MEMLEAN_TRIM=0 switches trimming off" "$(trims "$prog" 5 MEMLEAN_TRIM=0 MEMLEAN_TRIM_INTERVAL_MS=0)" 0
expect "MEMLEAN_TRIM=1 keeps it on" "$(trims "$prog" 2 MEMLEAN_TRIM=1 MEMLEAN_TRIM_INTERVAL_MS=0)" 2
expect "a bad MEMLEAN_TRIM_INTERVAL_MS falls back to the default" "$(trims "$prog" 5 MEMLEAN_TRIM_INTERVAL_MS=soon)" 1
check "a bad knob value gets one warning line" grep -qx 'memlean: ignoring MEMLEAN_TRIM_INTERVAL_MS (expected whole milliseconds, 0 to 86400000); using 1000' "$T_TMP/stderr"
expect "a negative interval falls back to the default" "$(trims "$prog" 5 MEMLEAN_TRIM_INTERVAL_MS=-5)" 1
expect "a bad MEMLEAN_TRIM leaves trimming on" "$(trims "$prog" 1 MEMLEAN_TRIM=maybe)" 1

# The interval is real time: with 200 ms, GCs 300 ms apart each trim.
cat >"$T_TMP/gc-sleep.c" <<'C'
#include "memlean_release_memory.h"
#include <unistd.h>
int main(void)
{
    for (int i = 0; i < 3; i++) { memlean_release_memory_after_full_gc(0); usleep(300000); }
    return 0;
}
C
gcc -Wall -Wextra -Werror -I"$T_TMP/trim" -I"$src" -DHAVE_MALLOC_TRIM=1 -o "$T_TMP/gc-sleep" "$T_TMP/gc-sleep.c"
expect "GCs spaced wider than the interval each trim" "$(trims "$T_TMP/gc-sleep" 0 MEMLEAN_TRIM_INTERVAL_MS=200)" 3
expect "the default interval (1000 ms, from the app-server benchmark) trims once for GCs 300 ms apart" "$(trims "$T_TMP/gc-sleep" 0)" 1
expect "an interval wider than the spacing trims once" "$(trims "$T_TMP/gc-sleep" 0 MEMLEAN_TRIM_INTERVAL_MS=1000)" 1

if build no-trim '#define MEMLEAN_VARIANT "malloctrim"
#define MEMLEAN_RELEASE_WITH_MALLOC_TRIM 1'; then
  fail "a malloctrim build without HAVE_MALLOC_TRIM fails"
else
  check "a malloctrim build without HAVE_MALLOC_TRIM fails with the reason" \
    grep -q 'configure found no malloc_trim' "$T_TMP/no-trim/cc.err"
fi
if build no-variant '#define MEMLEAN_VARIANT "normal"'; then
  fail "including the hook in a build that selects no allocator fails"
else
  check "including the hook in a build that selects no allocator fails" \
    grep -q 'selects no way to release memory' "$T_TMP/no-variant/cc.err"
fi

# --- The releaser thread (memlean_release_start) ---------------------------
cat >"$T_TMP/releaser.c" <<'C'
#define _GNU_SOURCE  /* sched_setaffinity */
#include "memlean_release_memory.h"
#include <dirent.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>

static void *blocks[4096];
/* n 16 KiB blocks, every other one freed (n = 4096: 32 MiB free in the heap). */
static void churn(int n)
{
    for (int i = 0; i < n; i++) { blocks[i] = malloc(16384); memset(blocks[i], 1, 16384); }
    for (int i = 0; i < n; i += 2) { free(blocks[i]); blocks[i] = NULL; }
}
static void spin(double secs)
{
    long long end = memlean_now_ns() + (long long)(secs * 1e9);
    volatile unsigned long x = 0;
    while (memlean_now_ns() < end) x++;
}
/* The names of this process's threads other than the main one. */
static void threads(const char *who)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    char path[300], name[64];
    int self = (int)getpid(), n = 0;

    printf("%s threads:", who);
    while (d && (e = readdir(d))) {
        FILE *f;
        if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
        if ((f = fopen(path, "r")) && fgets(name, sizeof(name), f)) { name[strcspn(name, "\n")] = 0; printf(" %s", name); n++; }
        if (f) fclose(f);
    }
    if (d) closedir(d);
    printf("%s\n", n ? "" : " none");
    fflush(stdout);
}
static int gc_done;
/* A runtime thread that frees memory and releases it, over and over. */
static void *gc_loop(void *unused)
{
    void *mine[256];
    (void)unused;
    while (!__atomic_load_n(&gc_done, __ATOMIC_RELAXED)) {
        for (int i = 0; i < 256; i++) mine[i] = malloc(16384), memset(mine[i], 1, 16384);
        for (int i = 0; i < 256; i += 2) free(mine[i]);
        memlean_release_memory_after_full_gc(1);
        for (int i = 1; i < 256; i += 2) free(mine[i]);
    }
    return NULL;
}
static int spin_done;
static void *spinner(void *unused) { (void)unused; while (!__atomic_load_n(&spin_done, __ATOMIC_RELAXED)) ; return NULL; }
static pthread_barrier_t all_allocated;
/* Every thread allocates before any ends, so none reuses another's arena. */
static void *allocate(void *unused) { void *p = malloc(100); (void)unused; pthread_barrier_wait(&all_allocated); free(p); return NULL; }
static int always_quit(void) { return 1; }
/* A runtime's own release (CPython: pymalloc's empty pools), counted. */
static int runtime_releases, runtime_quiets;
static size_t count_release(void) { __atomic_add_fetch(&runtime_releases, 1, __ATOMIC_RELAXED); return 0; }
static int reports_work;  /* hooks-work: the main thread does the work and reports it */
static int count_quiet(void) { __atomic_add_fetch(&runtime_quiets, 1, __ATOMIC_RELAXED); return reports_work; }

int main(int argc, char **argv)
{
    const char *mode = argv[1];
    double secs = argc > 2 ? atof(argv[2]) : 0;

    reports_work = strcmp(mode, "hooks-work") == 0;
    if (strncmp(mode, "hooks", 5) == 0) memlean_release_runtime_hooks(count_release, count_quiet);
    memlean_release_start(strcmp(mode, "quit") == 0 || strcmp(mode, "hooks-quit") == 0 ? always_quit : NULL,
                          strcmp(mode, "child-waits") == 0);
    if (strcmp(mode, "idle") == 0 || strcmp(mode, "quit") == 0) {
        threads("main");
        churn(4096);
        usleep((useconds_t)(secs * 1e6));
    } else if (strcmp(mode, "busy") == 0) {
        churn(4096);
        spin(secs);
    } else if (strcmp(mode, "spin") == 0) {
        spin(secs);
    } else if (strcmp(mode, "hooks-work") == 0) {
        /* A busy period, then 3 s quiet in which the main thread does the
         * idle work each time it is asked for (0.3 s of CPU) and reports it. */
        int seen = 0;
        spin(secs);
        for (int i = 0; i < 60; i++) {
            usleep(50000);
            if (__atomic_load_n(&runtime_quiets, __ATOMIC_RELAXED) > seen) {
                long long start = memlean_now_ns();
                seen++;
                spin(0.3);
                memlean_release_runtime_work(memlean_now_ns() - start);
            }
        }
        printf("quiet %d\n", seen);
    } else if (strncmp(mode, "hooks", 5) == 0) {
        /* Two busy periods, each followed by a quiet one, then a requested
         * full GC and two automatic ones right after it. */
        for (int i = 0; i < 2; i++) { spin(secs); usleep((useconds_t)(secs * 1e6)); }
        printf("quiet %d;", __atomic_load_n(&runtime_quiets, __ATOMIC_RELAXED));
        memlean_release_memory_after_full_gc(1);
        memlean_release_memory_after_full_gc(0);
        memlean_release_memory_after_full_gc(0);
        printf("released %d\n", __atomic_load_n(&runtime_releases, __ATOMIC_RELAXED));
    } else if (strcmp(mode, "stop") == 0) {
        memlean_release_stop();
        threads("stopped");
        churn(4096);
        usleep((useconds_t)(secs * 1e6));
        memlean_release_memory_after_full_gc(1);
    } else if (strcmp(mode, "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0) { threads("child"); _exit(0); }
        waitpid(pid, NULL, 0);
        threads("parent");
    } else if (strcmp(mode, "main-exits") == 0) {
        /* The last thread but memlean's ends with pthread_exit(): the
         * process must end all the same (glibc: exit(0) at the last). */
        pthread_exit(NULL);
    } else if (strcmp(mode, "child-waits") == 0) {
        /* A runtime that reports its GCs: the child gets its thread at its first GC. */
        pid_t pid = fork();
        if (pid == 0) {
            threads("child");
            memlean_release_after_gc(0, 0);
            threads("child after a young GC");
            _exit(0);
        }
        waitpid(pid, NULL, 0);
        threads("parent");
    } else if (strcmp(mode, "count") == 0) {
        /* What a runtime that counts its threads after fork() is told. */
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        printf("after fork: %d;", memlean_release_threads());
        waitpid(pid, NULL, 0);
        memlean_release_stop();
        printf("after stop: %d\n", memlean_release_threads());
    } else if (strcmp(mode, "stat-count") == 0) {
        /* As CPython's os.fork() counts in the parent, right after each
         * fork: /proc/self/stat's thread count less memlean's, with every
         * thread on one CPU beside two that spin (under load, a thread
         * joined before the fork may leave that count late). */
        int wrong = 0;
        cpu_set_t one;
        pthread_t spinners[2];
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        sched_setaffinity(0, sizeof(one), &one);
        for (int i = 0; i < 2; i++) pthread_create(&spinners[i], NULL, spinner, NULL);
        for (int i = 0; i < (int)secs; i++) {
            char buf[1024], *p;
            int fd, n, field;
            pid_t pid = fork();
            if (pid == 0) _exit(0);
            fd = open("/proc/self/stat", O_RDONLY);
            n = (int)read(fd, buf, sizeof(buf) - 1);
            close(fd);
            buf[n > 0 ? n : 0] = 0;
            p = strrchr(buf, ')');
            for (field = 2; p && field < 20; field++) p = strchr(p + 1, ' ');
            if (!p || atoi(p + 1) - memlean_release_threads() != 3) wrong++;
            waitpid(pid, NULL, 0);
        }
        __atomic_store_n(&spin_done, 1, __ATOMIC_RELAXED);
        for (int i = 0; i < 2; i++) pthread_join(spinners[i], NULL);
        printf("miscounted %d of %d\n", wrong, (int)secs);
    } else if (strcmp(mode, "forks") == 0) {
        /* Forks while another thread releases after "full GCs" and the
         * releaser thread wakes every period: every child allocates,
         * releases and exits 0; a fork that deadlocked would hang here. */
        pthread_t gc;
        pthread_create(&gc, NULL, gc_loop, NULL);
        for (int i = 0; i < (int)secs; i++) {
            pid_t pid = fork();
            if (pid == 0) { churn(64); memlean_release_memory_after_full_gc(1); _exit(0); }
            int status;
            if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) { printf("child %d failed\n", i); return 1; }
        }
        __atomic_store_n(&gc_done, 1, __ATOMIC_RELAXED);
        pthread_join(gc, NULL);
        printf("forks done\n");
    } else if (strcmp(mode, "arenas") == 0) {
        pthread_t t[8];
        char *buf = NULL;
        size_t len = 0;
        int heaps = 0;
        FILE *f = open_memstream(&buf, &len);
        pthread_barrier_init(&all_allocated, NULL, 9);
        for (int i = 0; i < 8; i++) pthread_create(&t[i], NULL, allocate, NULL);
        pthread_barrier_wait(&all_allocated);
        for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
        malloc_info(0, f);
        fclose(f);
        for (char *p = buf; (p = strstr(p, "<heap nr=")); p++) heaps++;
        printf("heaps %d\n", heaps);
    }
    return 0;
}
C
gcc -Wall -Wextra -Werror -I"$T_TMP/trim" -I"$src" -DHAVE_MALLOC_TRIM=1 -o "$T_TMP/releaser" "$T_TMP/releaser.c" -lpthread
# releaser MODE SECS [ENV...]: the probe's releaser count; what the program
# printed is left in $T_TMP/stdout; the program's status is returned.
releaser() {
  local mode=$1 secs=$2 rc=0
  shift 2
  rm -f "$T_TMP/probe.log"
  timeout -k 5 60 env "$@" MEMLEAN_PROBE_LOG="$T_TMP/probe.log" LD_PRELOAD="$probe" "$T_TMP/releaser" "$mode" "$secs" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || rc=$?
  touch "$T_TMP/probe.log"
  sed -n 's/.* releaser=\([0-9]*\).*/\1/p' "$T_TMP/probe.log" | head -n 1
  mv "$T_TMP/probe.log" "$T_TMP/probe.log.last"
  return "$rc"
}
n=$(releaser idle 1.5 MEMLEAN_RELEASE_PERIOD_MS=200)
check "a quiet process that freed memory and runs no GC gets it released by the thread ($n releases)" test "$n" -ge 1
expect "once released, a quiet process is not released again and again (idle 1.5 s, period 200 ms)" "$n" 1
expect "the thread is named memlean-release" "$(cat "$T_TMP/stdout")" "main threads: memlean-release"
n=$(releaser idle 2.5)
expect "the default period (1000 ms) releases a quiet process within 2.5 s" "$n" 1
expect "MEMLEAN_RELEASE_PERIOD_MS=0: no thread" "$(releaser idle 1 MEMLEAN_RELEASE_PERIOD_MS=0)|$(cat "$T_TMP/stdout")" "0|main threads: none"
expect "MEMLEAN_TRIM=0: no thread, no release" "$(releaser idle 1 MEMLEAN_TRIM=0 MEMLEAN_RELEASE_PERIOD_MS=200)|$(cat "$T_TMP/stdout")" "0|main threads: none"
releaser idle 0 MEMLEAN_RELEASE_PERIOD_MS=often >/dev/null
expect "a bad MEMLEAN_RELEASE_PERIOD_MS keeps the thread (the default period)" "$(cat "$T_TMP/stdout")" "main threads: memlean-release"
check "and says so in one line" grep -qx 'memlean: ignoring MEMLEAN_RELEASE_PERIOD_MS (expected whole milliseconds, 0 to 86400000); using 1000' "$T_TMP/stderr"
n=$(releaser busy 1.5 MEMLEAN_RELEASE_PERIOD_MS=200)
check "a busy process with much memory free (32 MiB, 32 MiB in use) is released too ($n)" test "$n" -ge 1
expect "a busy process with nothing freed is not released" "$(releaser spin 1 MEMLEAN_RELEASE_PERIOD_MS=100)" 0
releaser hooks 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=200 >/dev/null
expect "a runtime's idle work: asked for once each time the process has been quiet for MEMLEAN_IDLE_MS after a busy period (2 of 2), and its release run where a full GC releases (requested, and not again within the interval)" \
  "$(cat "$T_TMP/stdout")" "quiet 2;released 1"
releaser hooks 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null
expect "quiet periods (0.6 s) shorter than the default MEMLEAN_IDLE_MS (1000) ask for nothing" "$(cat "$T_TMP/stdout")" "quiet 0;released 1"
releaser hooks 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=0 >/dev/null
expect "MEMLEAN_IDLE_MS=0: the idle work is never asked for" "$(cat "$T_TMP/stdout")" "quiet 0;released 1"
releaser hooks 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=200 MEMLEAN_TRIM=0 >/dev/null
expect "MEMLEAN_TRIM=0: the runtime's release is neither asked for nor run" "$(cat "$T_TMP/stdout")" "quiet 0;released 0"
releaser hooks-quit 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=200 >/dev/null
expect "nor asked for once the quit predicate says the runtime shuts down" "$(cat "$T_TMP/stdout")" "quiet 0;released 1"
releaser hooks-work 0.6 MEMLEAN_RELEASE_PERIOD_MS=100 MEMLEAN_IDLE_MS=200 >/dev/null
expect "the idle work's own CPU time (reported) does not make the process look busy: asked for once in 3 s of quiet" "$(cat "$T_TMP/stdout")" "quiet 1"
expect "nothing is released once the quit predicate says the runtime shuts down" "$(releaser quit 1 MEMLEAN_RELEASE_PERIOD_MS=100)" 0
expect "memlean_release_stop() ends the thread; after it nothing releases, not even a requested GC" \
  "$(releaser stop 1 MEMLEAN_RELEASE_PERIOD_MS=100)|$(probe_field malloc_trim "$T_TMP/probe.log.last")|$(cat "$T_TMP/stdout")" "0|0|stopped threads: none"
releaser fork 0 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null
expect "a forked child has its own releaser thread, and the parent keeps its own" "$(sort "$T_TMP/stdout" | tr '\n' ';')" "child threads: memlean-release;parent threads: memlean-release;"
rc=0
SECONDS=0
releaser main-exits 0 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null || rc=$?
expect "when every other thread ended with pthread_exit(), the thread does not keep the process alive (status, within 5 s)" \
  "$rc $((SECONDS < 5))" "0 1"
releaser child-waits 0 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null
expect "a runtime that asks for it (Ruby): the child has no thread until its first GC, then has one; the parent keeps its own" \
  "$(tr '\n' ';' <"$T_TMP/stdout")" "child threads: none;child after a young GC threads: memlean-release;parent threads: memlean-release;"
releaser count 0 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null
expect "memlean_release_threads() counts the thread it runs, for runtimes that count theirs (after a fork, after the stop)" \
  "$(cat "$T_TMP/stdout")" "after fork: 1;after stop: 0"
releaser count 0 MEMLEAN_RELEASE_PERIOD_MS=0 >/dev/null
expect "and 0 when there is none" "$(cat "$T_TMP/stdout")" "after fork: 0;after stop: 0"
releaser stat-count 300 MEMLEAN_RELEASE_PERIOD_MS=100 >/dev/null
expect "right after each of 300 forks under load, /proc/self/stat's thread count less memlean's is the program's own threads" \
  "$(cat "$T_TMP/stdout")" "miscounted 0 of 300"
releaser forks 200 MEMLEAN_RELEASE_PERIOD_MS=1 >/dev/null
n=$(probe_field malloc_trim "$T_TMP/probe.log.last")
expect "200 forks while another thread releases and the releaser wakes every millisecond: no deadlock, every child exits 0" "$(cat "$T_TMP/stdout")" "forks done"
check "and releases did run in between ($n)" test "${n:-0}" -ge 20
releaser arenas 0 >/dev/null
expect "glibc's arenas are capped at 2 (8 threads allocated)" "$(cat "$T_TMP/stdout")" "heaps 2"
releaser arenas 0 MALLOC_ARENA_MAX=4 >/dev/null
expect "MALLOC_ARENA_MAX set by the operator wins" "$(cat "$T_TMP/stdout")" "heaps 4"
releaser arenas 0 GLIBC_TUNABLES=glibc.malloc.arena_max=3 >/dev/null
expect "so does glibc.malloc.arena_max in GLIBC_TUNABLES" "$(cat "$T_TMP/stdout")" "heaps 3"
releaser arenas 0 MEMLEAN_TRIM=0 >/dev/null
heaps=$(sed -n "s/^heaps //p" "$T_TMP/stdout")
check "MEMLEAN_TRIM=0 leaves glibc's arenas as stock (one per thread, up to 8 per core: $heaps)" test "${heaps:-0}" -gt 2

# When every other thread has ended (the main thread by pthread_exit), the
# releaser returns and glibc calls exit(0) on it: memlean's atexit stop then
# runs on the releaser itself and must not wait for its own end (it once
# polled /proc for it 5000 times, at least 100 ms). The handlers around it
# time it: atexit runs them last registered first.
cat >"$T_TMP/last-thread.c" <<'C'
#include "memlean_release_memory.h"
static long long stop_began;
static void before_stop(void) { stop_began = memlean_now_ns(); }
static void after_stop(void)
{
    printf("stop took %s\n", memlean_now_ns() - stop_began < 50000000LL ? "under 50 ms" : "50 ms or more");
}
int main(void)
{
    atexit(after_stop);
    memlean_release_start(NULL, 0);
    atexit(before_stop);
    pthread_exit(NULL);
}
C
gcc -Wall -Wextra -Werror -I"$T_TMP/trim" -I"$src" -DHAVE_MALLOC_TRIM=1 -o "$T_TMP/last-thread" "$T_TMP/last-thread.c" -lpthread
expect "the releaser left last ends the process, its stop not waiting for itself" \
  "$(MEMLEAN_RELEASE_PERIOD_MS=50 timeout 20 "$T_TMP/last-thread" 2>&1)" "stop took under 50 ms"

finish
