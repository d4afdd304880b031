/* memlean: hand the heap memory a program freed back to the kernel.
 *
 * memlean's build copies this file into the top of a runtime's source tree
 * (recipes name it common/release-memory); the runtime's
 * gc-release-memory.patch includes it.
 *
 * Two ways to release memory; memlean_variant.h (written by memlean's
 * build) picks one:
 *   malloctrim: glibc's malloc_trim(0) returns free pages of every arena;
 *   jemalloc:   malloc_trim would reach glibc, not jemalloc, so ask jemalloc
 *               to purge the dirty and muzzy pages of all arenas instead.
 *
 * When:
 *   after a full GC   the runtime's GC calls
 *                     memlean_release_memory_after_full_gc(requested) once the
 *                     objects a full collection found dead have been freed;
 *                     requested is non-zero when the program asked for it
 *                     (Ruby's GC.start, Python's gc.collect()).
 *   on its own        memlean_release_start() (at the runtime's start) runs a
 *                     thread named "memlean-release" that wakes every period,
 *                     measures how much freed memory the allocator still
 *                     holds (jemalloc: its dirty and muzzy pages; glibc: an
 *                     estimate from /proc/self/statm and mallinfo2(), see
 *                     memlean_measure()), and releases it when the process
 *                     has gone quiet (under 5% of a CPU in the last period)
 *                     and at least 1 MiB sits free, or, while busy, when at
 *                     least 4 MiB and a quarter of what is in use sits free.
 *                     After a busy release, if the process's minor faults in
 *                     the next period reach half the pages it was expected
 *                     to return, the backoff doubles (up to 16 periods),
 *                     otherwise it halves (down to 1); each busy release
 *                     waits the backoff before the next.  Servers rarely run
 *                     a full GC (CPython frees by reference counting, an idle
 *                     server runs none), so this is what releases in them.
 *                     It never takes the runtime's global lock.
 *   the runtime's own  memory its allocator keeps outside malloc (CPython:
 *                     the empty pools of pymalloc's arenas):
 *                     memlean_release_runtime_hooks(release, quiet) names a
 *                     function that gives it back, called with the runtime's
 *                     lock held before each release after a full GC (so not
 *                     when that release is skipped), and one the
 *                     releaser thread calls, without that lock, once each
 *                     time the process has been quiet for MEMLEAN_IDLE_MS
 *                     after it was busy, to have the runtime do its idle work
 *                     on a thread of its own (CPython: release the pools;
 *                     Ruby: a full GC that frees every empty heap page).  The
 *                     quiet hook returns non-zero when that work is queued;
 *                     the runtime then reports its end and the time it took
 *                     (memlean_release_runtime_work()); until then the
 *                     process's CPU time neither starts nor resets the wait
 *                     for the next request (releases still go by it), and the
 *                     work's own time is then taken off the process's, so
 *                     that the work does not make it look busy again.
 *   arenas (malloctrim) memlean_release_start() caps glibc's arenas at 2
 *                     (mallopt(M_ARENA_MAX)): guest code runs under one lock,
 *                     so per-thread arenas mostly add fragmentation.
 *                     MALLOC_ARENA_MAX (or glibc.malloc.arena_max in
 *                     GLIBC_TUNABLES) set by the operator wins.
 *
 * Run-time knobs, read once:
 *   MEMLEAN_TRIM=0                  every release off, no thread, no arena cap:
 *                                   the allocator behaves as in stock (default 1)
 *   MEMLEAN_TRIM_INTERVAL_MS=<ms>   minimum time from the end of the last
 *                                   release (by the thread or a GC) to a
 *                                   release after an automatic full GC
 *                                   (default below); requested collections
 *                                   always release.
 *   MEMLEAN_RELEASE_PERIOD_MS=<ms>  the releaser thread's period (default
 *                                   below); 0: no thread, releases after full
 *                                   GCs only.
 *   MEMLEAN_IDLE_MS=<ms>            how long the process must have been quiet
 *                                   after it was busy before the runtime's idle
 *                                   work is asked for (default below, rounded up
 *                                   to whole periods); 0: never asked for.
 * Cost bound: after automatic full GCs, at most d / (d + interval) of the
 * time goes to malloc_trim or the purge (d: its duration; the runtime's own
 * release and requested collections are not bounded); while the process is
 * busy, the thread starts a release no earlier than half a period and 19
 * times the last release's duration after that release ended, so while
 * releases take about as long as the last one, the thread's take at most 5%
 * of the time.  A quiet process (under 5% of a CPU) is released at most
 * once a period.
 *
 * Fork: the thread is stopped before a fork (waiting for a release in
 * progress to end, so no allocator lock is held across the fork) and started
 * again in the parent and in the child (pthread_atfork; in Ruby's child at
 * its first GC, see memlean_release_start()).  A runtime that
 * counts its threads (CPython >= 3.12 warns when a process with several
 * threads forks) leaves out memlean_release_threads() of them.
 * Shutdown: memlean_release_stop() ends the thread for good and turns off
 * the releases after full GCs; the thread asks the quit predicate given to
 * memlean_release_start() (e.g. Py_IsFinalizing) before each release and
 * before asking for idle work; when the thread runs, atexit() stops it as a
 * last resort, so no release starts while the interpreter shuts down.
 * This file is runtime-neutral and included once, by the runtime's GC. */
#ifndef MEMLEAN_RELEASE_MEMORY_H
#define MEMLEAN_RELEASE_MEMORY_H

#include "memlean_variant.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MEMLEAN_STRINGIFY_(x) #x
#define MEMLEAN_STRINGIFY(x) MEMLEAN_STRINGIFY_(x)

#if defined(MEMLEAN_RELEASE_WITH_JEMALLOC)
# include <jemalloc/jemalloc.h>
# if !defined(MALLCTL_ARENAS_ALL)
#  error "memlean jemalloc variant: <jemalloc/jemalloc.h> is not jemalloc 5 (no MALLCTL_ARENAS_ALL)"
# endif
# define MEMLEAN_PURGE_ALL_ARENAS "arena." MEMLEAN_STRINGIFY(MALLCTL_ARENAS_ALL) ".purge"
# define MEMLEAN_ALL_ARENAS_STAT(name) "stats.arenas." MEMLEAN_STRINGIFY(MALLCTL_ARENAS_ALL) "." name
#elif defined(MEMLEAN_RELEASE_WITH_MALLOC_TRIM)
# if !defined(HAVE_MALLOC_TRIM)
#  error "memlean malloctrim variant: configure found no malloc_trim (glibc only); build the normal or jemalloc variant instead"
# endif
# include <malloc.h>
#else
# error "memlean_variant.h selects no way to release memory (MEMLEAN_RELEASE_WITH_JEMALLOC or MEMLEAN_RELEASE_WITH_MALLOC_TRIM)"
#endif

#define MEMLEAN_TRIM_DEFAULT_INTERVAL_MS 1000
#define MEMLEAN_RELEASE_DEFAULT_PERIOD_MS 1000
#define MEMLEAN_IDLE_DEFAULT_MS 1000
#define MEMLEAN_TRIM_MAX_INTERVAL_MS 86400000LL  /* the largest value of every ms knob */
#define MEMLEAN_ARENA_MAX 2
#define MEMLEAN_QUIET_MIN_BYTES ((size_t)1 << 20)
#define MEMLEAN_BUSY_MIN_BYTES ((size_t)4 << 20)
#define MEMLEAN_MAX_BACKOFF 16
/* A busy release by the thread starts no earlier than this many times the
 * last release's duration after it ended (about 1/20 of the time); quiet and
 * GC-hook releases are not held back by it. */
#define MEMLEAN_COST_FACTOR 19

#define MEMLEAN_UNUSED __attribute__((unused))

/* glibc's, declared here too for sources built without _GNU_SOURCE. */
extern int pthread_setname_np(pthread_t thread, const char *name);

static int memlean_trim_mode;            /* 0: knobs not read yet, 1: on, -1: off */
static long long memlean_trim_interval_ns;
static long long memlean_release_period_ns;
static long long memlean_idle_ns;
/* Wall-clock ns the runtime's idle work took, all told (the tick takes it off
 * the process's CPU time). */
static long long memlean_runtime_work_ns;
/* These two are read and written by the GC hook (runtime lock held) and the
 * thread: relaxed atomics (the pair is not read as a unit). */
static long long memlean_trim_last_end_ns = -1;
static long long memlean_trim_last_cost_ns;
static int memlean_releaser_finished;    /* stopped for good: the runtime shuts down */
static size_t (*memlean_runtime_release)(void);  /* before each GC release, lock held; returns bytes given back (unused here) */
static int (*memlean_runtime_quiet)(void);       /* no lock held; non-zero: work queued */
static int memlean_runtime_asked;                /* queued idle work not yet reported done */

static inline long long
memlean_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The value of the knob NAME in whole milliseconds, or fallback (with one
 * warning line) when it is set to something else. */
static inline long long
memlean_read_ms(const char *name, long long fallback)
{
    const char *text = getenv(name);
    char *end;
    long long v;

    if (!text || !*text) return fallback;
    v = strtoll(text, &end, 10);
    if (*end == '\0' && v >= 0 && v <= MEMLEAN_TRIM_MAX_INTERVAL_MS && text[0] != '-') return v;
    fprintf(stderr, "memlean: ignoring %s (expected whole milliseconds, 0 to 86400000); using %lld\n", name, fallback);
    return fallback;
}

static inline void
memlean_trim_read_knobs(void)
{
    const char *on = getenv("MEMLEAN_TRIM");

    memlean_trim_mode = 1;
    if (on && *on) {
        if (strcmp(on, "0") == 0) memlean_trim_mode = -1;
        else if (strcmp(on, "1") != 0)
            fputs("memlean: ignoring MEMLEAN_TRIM (expected 0 or 1); trimming stays on\n", stderr);
    }
    memlean_trim_interval_ns = memlean_read_ms("MEMLEAN_TRIM_INTERVAL_MS", MEMLEAN_TRIM_DEFAULT_INTERVAL_MS) * 1000000LL;
    memlean_release_period_ns = memlean_read_ms("MEMLEAN_RELEASE_PERIOD_MS", MEMLEAN_RELEASE_DEFAULT_PERIOD_MS) * 1000000LL;
    memlean_idle_ns = memlean_read_ms("MEMLEAN_IDLE_MS", MEMLEAN_IDLE_DEFAULT_MS) * 1000000LL;
}

/* True when the last release ended less than gap_ns ago (with cost_bound,
 * or less than MEMLEAN_COST_FACTOR times its own duration ago). */
static inline int
memlean_release_too_soon(long long now, long long gap_ns, int cost_bound)
{
    long long end = __atomic_load_n(&memlean_trim_last_end_ns, __ATOMIC_RELAXED);
    long long cost = __atomic_load_n(&memlean_trim_last_cost_ns, __ATOMIC_RELAXED);

    if (end < 0) return 0;
    if (cost_bound && gap_ns < cost * MEMLEAN_COST_FACTOR) gap_ns = cost * MEMLEAN_COST_FACTOR;
    return now - end < gap_ns;
}

static inline void
memlean_release_now(void)
{
    long long start = memlean_now_ns(), end;
#if defined(MEMLEAN_RELEASE_WITH_JEMALLOC)
    mallctl(MEMLEAN_PURGE_ALL_ARENAS, NULL, NULL, NULL, 0);
#else
    malloc_trim(0);
#endif
    end = memlean_now_ns();
    __atomic_store_n(&memlean_trim_last_cost_ns, end - start, __ATOMIC_RELAXED);
    __atomic_store_n(&memlean_trim_last_end_ns, end, __ATOMIC_RELAXED);
}

static inline void
memlean_release_memory_after_full_gc(int requested)
{
    if (memlean_trim_mode == 0) memlean_trim_read_knobs();
    if (memlean_trim_mode < 0 || memlean_releaser_finished) return;
    if (!requested && memlean_release_too_soon(memlean_now_ns(), memlean_trim_interval_ns, 0)) return;
    if (memlean_runtime_release) memlean_runtime_release();
    memlean_release_now();
}

/* Called by the runtime when its idle work (asked for through the quiet
 * hook) is done, with the time it took. */
static MEMLEAN_UNUSED void
memlean_release_runtime_work(long long ns)
{
    __atomic_add_fetch(&memlean_runtime_work_ns, ns, __ATOMIC_RELAXED);
    __atomic_store_n(&memlean_runtime_asked, 0, __ATOMIC_RELEASE);
}

/* Called by the runtime before memlean_release_start(); either may be NULL. */
static MEMLEAN_UNUSED void
memlean_release_runtime_hooks(size_t (*release)(void), int (*quiet)(void))
{
    memlean_runtime_release = release;
    memlean_runtime_quiet = quiet;
}

/* --- The releaser thread ------------------------------------------------- */

struct memlean_releaser_state {
    long long cpu_ns;            /* process CPU time at the last tick, or after its release */
    /* glibc: anonymous RSS outside malloc's books right after the thread's
     * last release (0 before the first); see memlean_measure(). */
    size_t other_bytes;
    long backoff;                /* busy releases come at most every backoff periods */
    long wait;                   /* ticks left before a busy release is allowed */
    size_t released_pages;       /* pages the last busy release was expected to return; 0: nothing to judge */
    long faults_after_release;   /* minor faults when it ended */
    int busy;                    /* a busy period came since the runtime was last asked for its idle work */
    long long quiet_ns;          /* quiet time since then, in whole periods, counted only while busy is set */
    long long work_ns;           /* memlean_runtime_work_ns at the last tick */
};

static pthread_mutex_t memlean_releaser_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t memlean_releaser_wake;
static pthread_t memlean_releaser_thread;
static int memlean_releaser_tid;         /* its kernel thread id, once it runs */
/* A thread was created and not yet joined.  The runtime's threads touch it
 * one at a time (the runtime's lock, fork and exit order them), and the
 * thread itself once no other thread is left. */
static int memlean_releaser_running;
/* Set by join and read by the thread, both under the lock; cleared before
 * the thread is created. */
static int memlean_releaser_stopping;
static int memlean_releaser_wanted;      /* started by the runtime */
static int memlean_releaser_child_waits;  /* a forked child starts its thread at its first GC */
static int memlean_releaser_pending;      /* ... and has not yet */
static int (*memlean_releaser_quit)(void);

static inline long
memlean_minor_faults(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

static inline long long
memlean_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#if defined(MEMLEAN_RELEASE_WITH_JEMALLOC)
static inline size_t
memlean_jemalloc_size(const char *name)
{
    size_t value = 0, len = sizeof(value);
    return mallctl(name, &value, &len, NULL, 0) == 0 ? value : 0;
}

/* Bytes in use, and jemalloc's dirty and muzzy pages (muzzy ones are
 * MADV_FREE'd already: the kernel may have taken them back). */
static inline void
memlean_measure(struct memlean_releaser_state *s, size_t *in_use, size_t *free_bytes)
{
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);

    (void)s;
    mallctl("epoch", &epoch, &len, &epoch, len);
    *in_use = memlean_jemalloc_size("stats.allocated");
    *free_bytes = (memlean_jemalloc_size(MEMLEAN_ALL_ARENAS_STAT("pdirty")) +
                   memlean_jemalloc_size(MEMLEAN_ALL_ARENAS_STAT("pmuzzy"))) *
                  (size_t)sysconf(_SC_PAGESIZE);
}

static inline void
memlean_measured_release(struct memlean_releaser_state *s, size_t in_use)
{
    (void)s;
    (void)in_use;
}
#else
/* Anonymous resident bytes of the process (statm: resident - shared). */
static inline size_t
memlean_anon_rss(void)
{
    char buf[128];
    unsigned long size, resident, shared;
    ssize_t n;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

    if (fd < 0) return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    if (sscanf(buf, "%lu %lu %lu", &size, &resident, &shared) != 3 || shared > resident) return 0;
    return (resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}

static inline size_t
memlean_glibc_in_use(size_t *free_in_arenas)
{
# if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
# else
    struct mallinfo mi = mallinfo();  /* int fields: wrong above 2 GiB, before glibc 2.33 only */
# endif
    *free_in_arenas = (size_t)mi.fordblks;
    return (size_t)mi.uordblks + (size_t)mi.hblkhd;
}

/* glibc cannot say which free bytes are still resident: what of the
 * anonymous RSS malloc does not account for, above the base (what was left
 * of it right after the thread's last release: thread stacks, the runtime's
 * own mmap'ed heaps), is taken for freed memory, at most the arenas' free
 * bytes.  When the runtime's own mappings grow, one release too many raises
 * the base; when they shrink (pools or heap pages given back), freed memory
 * up to that amount goes unseen until the next release. */
static inline void
memlean_measure(struct memlean_releaser_state *s, size_t *in_use, size_t *free_bytes)
{
    size_t free_in_arenas, anon = memlean_anon_rss(), outside;

    *in_use = memlean_glibc_in_use(&free_in_arenas);
    outside = anon > *in_use ? anon - *in_use : 0;
    *free_bytes = outside > s->other_bytes ? outside - s->other_bytes : 0;
    if (*free_bytes > free_in_arenas) *free_bytes = free_in_arenas;
}

static inline void
memlean_measured_release(struct memlean_releaser_state *s, size_t in_use)
{
    size_t anon = memlean_anon_rss();
    s->other_bytes = anon > in_use ? anon - in_use : 0;
}
#endif

/* One period: ask for the runtime's idle work once the process has been
 * quiet for MEMLEAN_IDLE_MS after being busy; then release if quiet and at
 * least 1 MiB sits free, or if busy, at least max(4 MiB, in use / 4) sits
 * free, the backoff wait is over and the cost bound allows. */
static MEMLEAN_UNUSED void
memlean_releaser_tick(struct memlean_releaser_state *s)
{
    long long cpu = memlean_cpu_ns(), now;
    /* asked first: once it reads 0, the work time reported with it is seen. */
    int asked = __atomic_load_n(&memlean_runtime_asked, __ATOMIC_ACQUIRE);
    long long work = __atomic_load_n(&memlean_runtime_work_ns, __ATOMIC_RELAXED);
    /* The runtime's idle work is not the program's. */
    int quiet = (cpu - s->cpu_ns - (work - s->work_ns)) * 20 < memlean_release_period_ns;
    size_t in_use, free_bytes, page = (size_t)sysconf(_SC_PAGESIZE), threshold;
    long faults;

    s->cpu_ns = cpu;
    s->work_ns = work;
    if (asked) {
        /* Idle work under way: its CPU time must not restart the idle
         * countdown. */
    } else if (!quiet) {
        s->busy = 1;
        s->quiet_ns = 0;
    } else if (s->busy && memlean_runtime_quiet && memlean_idle_ns > 0) {
        s->quiet_ns += memlean_release_period_ns;
        if (s->quiet_ns >= memlean_idle_ns) {
            s->busy = 0;
            __atomic_store_n(&memlean_runtime_asked, 1, __ATOMIC_RELEASE);
            if ((memlean_releaser_quit && memlean_releaser_quit()) || !memlean_runtime_quiet())
                __atomic_store_n(&memlean_runtime_asked, 0, __ATOMIC_RELEASE);
        }
    }
    if (s->released_pages) {
        faults = memlean_minor_faults() - s->faults_after_release;
        if ((size_t)faults * 2 >= s->released_pages) {
            if (s->backoff < MEMLEAN_MAX_BACKOFF) s->backoff *= 2;
        } else if (s->backoff > 1) {
            s->backoff /= 2;
        }
        s->released_pages = 0;
    }
    if (s->wait > 0) s->wait--;
    memlean_measure(s, &in_use, &free_bytes);
    threshold = in_use / 4 > MEMLEAN_BUSY_MIN_BYTES ? in_use / 4 : MEMLEAN_BUSY_MIN_BYTES;
    if (free_bytes < MEMLEAN_QUIET_MIN_BYTES) return;
    if (!quiet && (free_bytes < threshold || s->wait > 0)) return;
    now = memlean_now_ns();
    /* The cost bound holds the program back only while it works: a quiet
     * process is not slowed by a release on another CPU. */
    if (memlean_release_too_soon(now, quiet ? 0 : memlean_release_period_ns / 2, !quiet)) return;
    if (memlean_releaser_quit && memlean_releaser_quit()) return;
    memlean_release_now();
    memlean_measured_release(s, in_use);
    if (!quiet) {
        s->released_pages = free_bytes / page;
        s->faults_after_release = memlean_minor_faults();
        s->wait = s->backoff;
    }
    s->cpu_ns = memlean_cpu_ns();  /* the release's own CPU time is not the program's */
}

/* True when every other thread of the process has ended (the main thread,
 * once it has ended with pthread_exit() while others run, stays a zombie in
 * /proc/self/task until the process ends; a CPython child forked from a
 * thread other than the main one ends that way).  glibc ends a process when its
 * last thread ends: this thread must not keep it alive. */
static inline int
memlean_releaser_alone(void)
{
    char path[64], buf[512], *p;
    struct dirent *entry;
    int self = (int)syscall(SYS_gettid), others = 0;
    DIR *dir = opendir("/proc/self/task");

    if (!dir) return 0;
    while (!others && (entry = readdir(dir))) {
        ssize_t n;
        int fd;
        if (entry->d_name[0] == '.' || atoi(entry->d_name) == self) continue;
        snprintf(path, sizeof(path), "/proc/self/task/%d/stat", atoi(entry->d_name));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = '\0';
        p = strrchr(buf, ')');  /* the command name may hold spaces */
        if (p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X') others = 1;
    }
    closedir(dir);
    return !others;
}

static MEMLEAN_UNUSED void *
memlean_releaser_main(void *unused)
{
    struct memlean_releaser_state state = {0, 0, 1, 0, 0, 0, 0, 0, 0};
    struct timespec deadline;

    (void)unused;
    memlean_releaser_tid = (int)syscall(SYS_gettid);
    state.cpu_ns = memlean_cpu_ns();
    pthread_mutex_lock(&memlean_releaser_lock);
    while (!memlean_releaser_stopping) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += memlean_release_period_ns / 1000000000LL;
        deadline.tv_nsec += memlean_release_period_ns % 1000000000LL;
        if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
        while (!memlean_releaser_stopping &&
               pthread_cond_timedwait(&memlean_releaser_wake, &memlean_releaser_lock, &deadline) != ETIMEDOUT)
            ;
        if (memlean_releaser_stopping) break;
        pthread_mutex_unlock(&memlean_releaser_lock);
        if (memlean_releaser_alone()) {
            /* glibc now calls exit(0) on this thread, and the atexit stop
             * runs here: it must not wait for this thread's own end. */
            memlean_releaser_running = 0;
            return NULL;
        }
        memlean_releaser_tick(&state);
        pthread_mutex_lock(&memlean_releaser_lock);
    }
    pthread_mutex_unlock(&memlean_releaser_lock);
    return NULL;
}

/* Starts the thread unless it runs, was stopped for good, or was never wanted. */
static MEMLEAN_UNUSED void
memlean_releaser_spawn(void)
{
    pthread_attr_t attr;
    sigset_t all, old;
    int rc;

    if (!memlean_releaser_wanted || memlean_releaser_finished || memlean_releaser_running) return;
    memlean_releaser_stopping = 0;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    /* The thread blocks every signal, so the runtime's handlers keep
     * running on the runtime's own threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&memlean_releaser_thread, &attr, memlean_releaser_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    /* Named by its creator, so the name is there as soon as this function
     * returns (a forked child that looks at its threads sees it). */
    if (rc == 0) {
        pthread_setname_np(memlean_releaser_thread, "memlean-release");
        memlean_releaser_running = 1;
    }
    else fprintf(stderr, "memlean: could not start the memlean-release thread (%s); memory is released after full GCs only\n", strerror(rc));
}

/* Ends the thread and waits for it: a release in progress finishes first. */
static MEMLEAN_UNUSED void
memlean_releaser_join(void)
{
    pthread_mutex_lock(&memlean_releaser_lock);
    if (!memlean_releaser_running) { pthread_mutex_unlock(&memlean_releaser_lock); return; }
    memlean_releaser_stopping = 1;
    pthread_cond_signal(&memlean_releaser_wake);
    pthread_mutex_unlock(&memlean_releaser_lock);
    pthread_join(memlean_releaser_thread, NULL);
    /* pthread_join returns once the thread's stack is free, a moment before
     * the kernel takes the thread out of the process's list, which
     * /proc/self/stat counts; CPython's os.fork() warns by that count. */
    if (memlean_releaser_tid > 0) {
        char path[64];
        struct timespec pause = {0, 20000};
        long long give_up = memlean_now_ns() + 100000000LL;  /* 100 ms */
        snprintf(path, sizeof(path), "/proc/self/task/%d", memlean_releaser_tid);
        while (access(path, F_OK) == 0 && memlean_now_ns() < give_up) nanosleep(&pause, NULL);
        memlean_releaser_tid = 0;
    }
    memlean_releaser_running = 0;
}

/* How many threads memlean added to the process (0 or 1): for a runtime
 * that counts its threads, e.g. CPython's os.fork(), which warns (3.12+)
 * when /proc/self/stat shows more than one thread once fork() returns. */
static MEMLEAN_UNUSED int
memlean_release_threads(void)
{
    return memlean_releaser_running;
}

static MEMLEAN_UNUSED void
memlean_releaser_atfork_parent(void)
{
    memlean_releaser_spawn();
}

static MEMLEAN_UNUSED void
memlean_releaser_atfork_child(void)
{
    /* The child has no releaser thread, and nothing holds the lock in it:
     * before the fork, the parent's thread was joined. */
    pthread_mutex_init(&memlean_releaser_lock, NULL);
    memlean_releaser_running = 0;
    memlean_runtime_asked = 0;  /* the parent's queued idle work is its own */
    if (memlean_releaser_child_waits) memlean_releaser_pending = 1;
    else memlean_releaser_spawn();
}

/* Called by the runtime after every GC, young or full: in a forked child
 * whose runtime asked for it, the first GC starts its thread; after a full
 * GC, releases (memlean_release_memory_after_full_gc). */
static MEMLEAN_UNUSED void
memlean_release_after_gc(int full, int requested)
{
    if (memlean_releaser_pending) {
        memlean_releaser_pending = 0;
        memlean_releaser_spawn();
    }
    if (full) memlean_release_memory_after_full_gc(requested);
}

/* Stops the thread for good (interpreter shutdown). */
static MEMLEAN_UNUSED void
memlean_release_stop(void)
{
    memlean_releaser_finished = 1;
    memlean_releaser_join();
}

/* Called once by the runtime, early, before any thread of its own; quit (may
 * be NULL) says when the interpreter is shutting down; child_waits_for_gc:
 * a forked child starts its thread at its first GC (which the runtime
 * reports with memlean_release_after_gc()) instead of at once, as Ruby
 * starts its own timer thread lazily after fork: a child that only daemonizes
 * or execs gets no thread. */
static MEMLEAN_UNUSED void
memlean_release_start(int (*quit)(void), int child_waits_for_gc)
{
    static int started;
    pthread_condattr_t attr;

    if (started) return;
    started = 1;
    if (memlean_trim_mode == 0) memlean_trim_read_knobs();
    if (memlean_trim_mode < 0) return;
#if defined(MEMLEAN_RELEASE_WITH_MALLOC_TRIM)
    {
        const char *tunables = getenv("GLIBC_TUNABLES");
        if (!getenv("MALLOC_ARENA_MAX") && !(tunables && strstr(tunables, "glibc.malloc.arena_max")))
            mallopt(M_ARENA_MAX, MEMLEAN_ARENA_MAX);
    }
#endif
    if (memlean_release_period_ns == 0) return;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&memlean_releaser_wake, &attr);
    pthread_condattr_destroy(&attr);
    memlean_releaser_quit = quit;
    memlean_releaser_child_waits = child_waits_for_gc;
    memlean_releaser_wanted = 1;
    pthread_atfork(memlean_releaser_join, memlean_releaser_atfork_parent, memlean_releaser_atfork_child);
    atexit(memlean_release_stop);
    memlean_releaser_spawn();
}

#endif /* MEMLEAN_RELEASE_MEMORY_H */
