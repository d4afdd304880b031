/* memlean-probe: an LD_PRELOAD library that watches how a process returns
 * heap memory, and reports once, at exit:
 *
 *   memlean-probe: pid=<pid> malloc_trim=<calls> jemalloc_purge=<calls>
 *     releaser=<calls> release_ns=<ns> jemalloc=<0|1>
 *     jemalloc_dirty_purged_pages=<n> glibc_heap_bytes=<n>
 *     madvise_dontneed=<calls> madvise_dontneed_bytes=<n>
 *
 *   malloc_trim          calls to glibc's malloc_trim (the malloctrim hook)
 *   jemalloc_purge       mallctl("arena.<i>.purge") calls (the jemalloc hook)
 *   releaser             those of the two made by a thread named
 *                        "memlean-release" (memlean's releaser thread)
 *   release_ns           wall time spent inside those two kinds of calls
 *   jemalloc             1 when a jemalloc mallctl is reachable
 *   jemalloc_dirty_purged_pages  jemalloc's own count of dirty pages purged,
 *                        all arenas (stats.arenas.<MALLCTL_ARENAS_ALL>.dirty_purged)
 *   glibc_heap_bytes     bytes glibc malloc holds (mallinfo2 arena + hblkhd):
 *                        0 when glibc's malloc never served an allocation
 *   madvise_dontneed     madvise(MADV_DONTNEED) calls made by the program
 *                        itself (CPython's release of empty pymalloc pools),
 *                        not by jemalloc (its purges are counted above) nor
 *                        inside glibc (malloc_trim's own calls do not reach
 *                        an interposer)
 *   madvise_dontneed_bytes  the bytes those calls covered
 *
 * The line goes to the file named by MEMLEAN_PROBE_LOG (appended), else to
 * stderr. The interposers only count and forward; nothing here allocates,
 * and the report is formatted on the stack and written with write(2). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

typedef int malloc_trim_fn(size_t);
typedef int mallctl_fn(const char *, void *, size_t *, void *, size_t);
typedef struct mallinfo2 mallinfo2_fn(void);
typedef int madvise_fn(void *, size_t, int);

static malloc_trim_fn *real_malloc_trim;
static mallctl_fn *real_mallctl;
static mallinfo2_fn *real_mallinfo2;
static madvise_fn *real_madvise;
static unsigned long madvise_dontneed_calls;
static unsigned long long madvise_dontneed_bytes;
static unsigned long malloc_trim_calls;
static unsigned long jemalloc_purge_calls;
static unsigned long releaser_calls;
static unsigned long long release_ns;
static char log_path[4096];

__attribute__((constructor)) static void probe_init(void)
{
    const char *path = getenv("MEMLEAN_PROBE_LOG");

    real_malloc_trim = (malloc_trim_fn *)dlsym(RTLD_NEXT, "malloc_trim");
    real_mallctl = (mallctl_fn *)dlsym(RTLD_NEXT, "mallctl");
    real_mallinfo2 = (mallinfo2_fn *)dlsym(RTLD_NEXT, "mallinfo2");
    real_madvise = (madvise_fn *)dlsym(RTLD_NEXT, "madvise");
    if (path && strlen(path) < sizeof(log_path))
        memcpy(log_path, path, strlen(path) + 1);
}

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* Counts a release made by memlean's releaser thread (PR_GET_NAME: a
 * system call into a buffer on the stack, nothing allocated). */
static void count_if_releaser(void)
{
    char name[16] = {0};

    if (prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && strcmp(name, "memlean-release") == 0)
        __atomic_add_fetch(&releaser_calls, 1, __ATOMIC_RELAXED);
}

int malloc_trim(size_t pad)
{
    unsigned long long start = now_ns();
    int released;

    __atomic_add_fetch(&malloc_trim_calls, 1, __ATOMIC_RELAXED);
    count_if_releaser();
    released = real_malloc_trim ? real_malloc_trim(pad) : 0;
    __atomic_add_fetch(&release_ns, now_ns() - start, __ATOMIC_RELAXED);
    return released;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
{
    unsigned long long start;
    int rc;

    if (!name || strncmp(name, "arena.", 6) != 0 || !ends_with(name, ".purge"))
        return real_mallctl ? real_mallctl(name, oldp, oldlenp, newp, newlen) : ENOENT;
    __atomic_add_fetch(&jemalloc_purge_calls, 1, __ATOMIC_RELAXED);
    count_if_releaser();
    if (!real_mallctl)
        return ENOENT;
    start = now_ns();
    rc = real_mallctl(name, oldp, oldlenp, newp, newlen);
    __atomic_add_fetch(&release_ns, now_ns() - start, __ATOMIC_RELAXED);
    return rc;
}

/* True when the code at address belongs to a jemalloc library (libjemalloc*;
 * dladdr() names the object, it does not allocate). */
static int in_jemalloc(const void *address)
{
    Dl_info object;
    const char *base;

    if (!dladdr(address, &object) || !object.dli_fname)
        return 0;
    base = strrchr(object.dli_fname, '/');
    base = base ? base + 1 : object.dli_fname;
    return strncmp(base, "libjemalloc", 11) == 0;
}

int madvise(void *addr, size_t length, int advice)
{
    if (advice == MADV_DONTNEED && !in_jemalloc(__builtin_return_address(0))) {
        __atomic_add_fetch(&madvise_dontneed_calls, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&madvise_dontneed_bytes, (unsigned long long)length, __ATOMIC_RELAXED);
    }
    if (!real_madvise) {
        errno = ENOSYS;
        return -1;
    }
    return real_madvise(addr, length, advice);
}

/* Appends "name=value " to buf at *len, formatting the number by hand. */
static void put_field(char *buf, size_t cap, size_t *len, const char *name, uint64_t value)
{
    char digits[24];
    int n = 0;
    size_t name_len = strlen(name);

    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    if (*len + name_len + (size_t)n + 2 >= cap)
        return;
    memcpy(buf + *len, name, name_len);
    *len += name_len;
    buf[(*len)++] = '=';
    while (n)
        buf[(*len)++] = digits[--n];
    buf[(*len)++] = ' ';
}

__attribute__((destructor)) static void probe_report(void)
{
    char line[512];
    size_t len = 0;
    uint64_t dirty_purged = 0, epoch = 1;
    size_t size = sizeof(dirty_purged);
    int jemalloc = 0, fd = 2;
    uint64_t glibc_bytes = 0;

    if (real_mallctl) {
        size_t epoch_size = sizeof(epoch);
        jemalloc = real_mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size) == 0;
        if (jemalloc && real_mallctl("stats.arenas.4096.dirty_purged", &dirty_purged, &size, NULL, 0) != 0)
            dirty_purged = 0;
    }
    if (real_mallinfo2) {
        struct mallinfo2 info = real_mallinfo2();
        glibc_bytes = info.arena + info.hblkhd;
    }

    memcpy(line, "memlean-probe: ", 15);
    len = 15;
    put_field(line, sizeof(line), &len, "pid", (uint64_t)getpid());
    put_field(line, sizeof(line), &len, "malloc_trim", __atomic_load_n(&malloc_trim_calls, __ATOMIC_RELAXED));
    put_field(line, sizeof(line), &len, "jemalloc_purge", __atomic_load_n(&jemalloc_purge_calls, __ATOMIC_RELAXED));
    put_field(line, sizeof(line), &len, "releaser", __atomic_load_n(&releaser_calls, __ATOMIC_RELAXED));
    put_field(line, sizeof(line), &len, "release_ns", __atomic_load_n(&release_ns, __ATOMIC_RELAXED));
    put_field(line, sizeof(line), &len, "jemalloc", (uint64_t)jemalloc);
    put_field(line, sizeof(line), &len, "jemalloc_dirty_purged_pages", dirty_purged);
    put_field(line, sizeof(line), &len, "glibc_heap_bytes", glibc_bytes);
    put_field(line, sizeof(line), &len, "madvise_dontneed", __atomic_load_n(&madvise_dontneed_calls, __ATOMIC_RELAXED));
    put_field(line, sizeof(line), &len, "madvise_dontneed_bytes", __atomic_load_n(&madvise_dontneed_bytes, __ATOMIC_RELAXED));
    line[len - 1] = '\n';

    if (log_path[0]) {
        fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
            fd = 2;
    }
    if (write(fd, line, len) < 0) {
        /* Nothing left to report to. */
    }
    if (fd != 2)
        close(fd);
}
