#!/usr/bin/env bash
# tools/memlean-probe.c: counts, reports at exit, safe in any process.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
[ -f "$probe" ] || { fail "the probe is built (run: make tools)"; finish; }
cat >"$T_TMP/prog.c" <<'C'
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
/* argv[3], when given, names a thread that trims twice. */
static void *named_thread(void *name)
{
    prctl(PR_SET_NAME, name, 0, 0, 0);
    malloc_trim(0);
    malloc_trim(0);
    return NULL;
}
int main(int argc, char **argv)
{
    int n = atoi(argv[1]);
    char *keep = strdup("glibc serves this");
    pthread_t thread;
    char *pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < n; i++) malloc_trim(0);
    /* n pages given back (counted), and advice of another kind (not). */
    for (int i = 0; i < n; i++) madvise(pages, 4096, MADV_DONTNEED);
    madvise(pages, 3 * 4096, MADV_WILLNEED);
    if (argc > 2 && strcmp(argv[2], "fork") == 0) { pid_t pid = fork(); if (pid == 0) { malloc_trim(0); exit(0); } waitpid(pid, NULL, 0); }
    if (argc > 3) { pthread_create(&thread, NULL, named_thread, argv[3]); pthread_join(thread, NULL); }
    free(keep);
    return 0;
}
C
gcc -Wall -Wextra -Werror -o "$T_TMP/prog" "$T_TMP/prog.c" -lpthread
log=$T_TMP/probe.log
MEMLEAN_PROBE_LOG=$log LD_PRELOAD=$probe "$T_TMP/prog" 3
check "the report line has every field" grep -Eq '^memlean-probe: pid=[0-9]+ malloc_trim=3 jemalloc_purge=0 releaser=0 release_ns=[0-9]+ jemalloc=0 jemalloc_dirty_purged_pages=0 glibc_heap_bytes=[1-9][0-9]* madvise_dontneed=3 madvise_dontneed_bytes=12288$' "$log"
rm -f "$log"
MEMLEAN_PROBE_LOG=$log LD_PRELOAD=$probe "$T_TMP/prog" 1 thread memlean-release
check "calls from a thread named memlean-release count as the releaser's" grep -q 'malloc_trim=3 jemalloc_purge=0 releaser=2 ' "$log"
rm -f "$log"
MEMLEAN_PROBE_LOG=$log LD_PRELOAD=$probe "$T_TMP/prog" 1 thread memlean-worker
check "calls from a thread of another name do not" grep -q 'malloc_trim=3 jemalloc_purge=0 releaser=0 ' "$log"
rm -f "$log"
MEMLEAN_PROBE_LOG=$log LD_PRELOAD=$probe "$T_TMP/prog" 0
check "no calls count 0" grep -q 'malloc_trim=0 ' "$log"
rm -f "$log"
MEMLEAN_PROBE_LOG=$log LD_PRELOAD=$probe "$T_TMP/prog" 2 fork
expect "a forked child reports its own line (its count starts from its parent's)" \
  "$(sed -n 's/.*malloc_trim=\([0-9]*\).*/\1/p' "$log" | sort | tr '\n' ' ')" "2 3 "
expect "parent and child report different pids" "$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$log" | sort -u | wc -l)" 2
out=$(LD_PRELOAD=$probe "$T_TMP/prog" 1 2>&1 >/dev/null)
check "without MEMLEAN_PROBE_LOG the report goes to stderr" grep -q 'malloc_trim=1 ' <<<"$out"
check "the probe is harmless in an unrelated program" env LD_PRELOAD="$probe" MEMLEAN_PROBE_LOG="$T_TMP/sort.log" sort --version
check "the probe library imports no malloc (nothing in it allocates)" \
  bash -c "! nm -D --undefined-only '$probe' | grep -Ewq 'malloc|calloc|realloc|strdup|printf|fprintf'"

finish
