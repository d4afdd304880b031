#!/usr/bin/env bash
# The GC hook's own logic (patches/common/release-memory.patch), compiled
# into a tiny program and observed through the preload probe: the switch,
# the interval bound, bad knob values, and the build failing closed.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
[ -f "$probe" ] || { fail "the probe is built (run: make tools)"; finish; }
src=$T_TMP/src
mkdir -p "$src"
patch -d "$src" -p1 --fuzz=0 --batch --quiet <"$ROOT/patches/common/release-memory.patch"
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
check "a bad knob value gets one warning line" grep -qx 'memlean: ignoring MEMLEAN_TRIM_INTERVAL_MS (expected whole milliseconds, 0 to 86400000); using 100' "$T_TMP/stderr"
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
expect "the default interval (100 ms, from the benchmark) lets GCs 300 ms apart each trim" "$(trims "$T_TMP/gc-sleep" 0)" 3
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

finish
