#!/usr/bin/env bash
# fetch-source: cache keyed by sha256, source order, fail-closed checks.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out MEMLEAN_CACHE=$T_TMP/out/cache
fetch=$ROOT/scripts/build/fetch-source
mkdir -p "$T_TMP/pkg/demo-1.0.0" "$T_TMP/upstream" "$T_TMP/mirror" "$T_TMP/local"
echo "demo source" >"$T_TMP/pkg/demo-1.0.0/README"
tar -C "$T_TMP/pkg" -cJf "$T_TMP/upstream/demo-1.0.0.tar.xz" demo-1.0.0
good=$T_TMP/good.tar.xz
cp "$T_TMP/upstream/demo-1.0.0.tar.xz" "$good"
sha=$(sha256sum "$good" | cut -d' ' -f1)
size=$(stat -c %s "$good")

# recipe FILE UPSTREAM-URL [MIRROR-URL]
recipe() {
  {
    echo "NAME=demo"; echo "VERSION=1.0.0"; echo "SERIES=1.0"
    echo "SOURCE_URL=$2"; echo "SOURCE_SHA256=$sha"; echo "SOURCE_SIZE=$size"
    if [ -n "${3:-}" ]; then echo "MIRROR_1_URL=$3"; echo "MIRROR_1_SHA256=$sha"; echo "MIRROR_1_SIZE=$size"; fi
  } >"$1"
}
cache_is_empty() {
  [ -z "$(find "$MEMLEAN_CACHE" -type f 2>/dev/null)" ]
}
reset() { rm -rf "$MEMLEAN_CACHE"; cp "$good" "$T_TMP/upstream/demo-1.0.0.tar.xz"; }

recipe "$T_TMP/r-up" "file://$T_TMP/upstream/demo-1.0.0.tar.xz"
reset
path=$("$fetch" "$T_TMP/r-up" 2>/dev/null || true)
expect "fetches from upstream into the cache, keyed by sha256" "$path" "$MEMLEAN_CACHE/sha256/$sha"
rm "$T_TMP/upstream/demo-1.0.0.tar.xz"
path=$("$fetch" "$T_TMP/r-up" 2>/dev/null || true)
expect "a verified cache entry is used without fetching" "$path" "$MEMLEAN_CACHE/sha256/$sha"

reset
"$fetch" "$T_TMP/r-up" >/dev/null 2>&1
echo "junk" >"$MEMLEAN_CACHE/sha256/$sha"
path=$("$fetch" "$T_TMP/r-up" 2>/dev/null || true)
check "a corrupted cache entry is fetched again" cmp "$path" "$good"

reset
printf 'X' | dd of="$T_TMP/upstream/demo-1.0.0.tar.xz" bs=1 seek=100 conv=notrunc 2>/dev/null
check_error "a tampered tarball stops with one error naming the file" \
  "demo-1.0.0.tar.xz: got $size bytes with sha256 [0-9a-f]{64}, .*r-up expects $size bytes with sha256 $sha; discarded, nothing cached" \
  "$fetch" "$T_TMP/r-up"
check "a tampered tarball leaves nothing in the cache" cache_is_empty
recipe "$T_TMP/r-tampered-then-good" "file://$T_TMP/upstream/demo-1.0.0.tar.xz" "file://$good"
check_error "a tampered upstream is not papered over by a good mirror (fail closed)" "sha256" \
  "$fetch" "$T_TMP/r-tampered-then-good"

# A recipe may leave the size out (the publisher did not state it): the
# checksum alone then decides, and still fails closed.
reset
grep -v '^SOURCE_SIZE=' "$T_TMP/r-up" >"$T_TMP/r-nosize"
path=$("$fetch" "$T_TMP/r-nosize" 2>/dev/null || true)
check "a recipe without a size fetches a file with the right checksum" cmp "$path" "$good"
reset
printf 'X' | dd of="$T_TMP/upstream/demo-1.0.0.tar.xz" bs=1 seek=100 conv=notrunc 2>/dev/null
check_error "a recipe without a size still rejects a tampered tarball" \
  "expects any number of bytes with sha256 $sha; discarded, nothing cached" "$fetch" "$T_TMP/r-nosize"
check "a tampered tarball of a recipe without a size leaves nothing in the cache" cache_is_empty

reset
recipe "$T_TMP/r-mirror" "http://127.0.0.1:9/demo-1.0.0.tar.xz" "file://$good"
path=$("$fetch" "$T_TMP/r-mirror" 2>/dev/null || true)
check "an unreachable upstream falls back to the mirror" cmp "$path" "$good"

reset
recipe "$T_TMP/r-dead" "http://127.0.0.1:9/demo-1.0.0.tar.xz" "file://$T_TMP/nowhere/demo_1.0.0.orig.tar.xz"
check_error "an unreachable mirror list names what was tried and what to do" \
  "no source of .*r-dead could be fetched; tried: http://127.0.0.1:9/demo-1.0.0.tar.xz .*; file://$T_TMP/nowhere/demo_1.0.0.orig.tar.xz .*MEMLEAN_SOURCE_MIRROR" \
  "$fetch" "$T_TMP/r-dead"
rc=0; "$fetch" "$T_TMP/r-dead" >/dev/null 2>&1 || rc=$?
expect "an unreachable mirror list exits 2" "$rc" 2
check "an unreachable mirror list leaves nothing in the cache" cache_is_empty

cp "$good" "$T_TMP/local/demo_1.0.0.orig.tar.xz"
path=$(MEMLEAN_SOURCE_MIRROR=$T_TMP/local "$fetch" "$T_TMP/r-dead" 2>/dev/null || true)
check "a local directory mirror serves a file under a mirror's name" cmp "$path" "$good"
rm -rf "$MEMLEAN_CACHE"
path=$(MEMLEAN_SOURCE_MIRROR=file://$T_TMP/local "$fetch" "$T_TMP/r-dead" 2>/dev/null || true)
check "a file:// local mirror works too" cmp "$path" "$good"
rm -rf "$MEMLEAN_CACHE"
head -c $((size / 2)) "$good" >"$T_TMP/local/demo_1.0.0.orig.tar.xz"
check_error "a truncated file in the local mirror is rejected" "got $((size / 2)) bytes" \
  env MEMLEAN_SOURCE_MIRROR="$T_TMP/local" "$fetch" "$T_TMP/r-dead"
check "a truncated local file leaves nothing in the cache" cache_is_empty

# A download that breaks off half way: curl writes part of the file and fails.
mkdir -p "$T_TMP/stub-broken" "$T_TMP/stub-hang"
cat >"$T_TMP/stub-broken/curl" <<STUB
#!/bin/sh
while [ \$# -gt 1 ]; do [ "\$1" = --output ] && out=\$2; shift; done
head -c $((size / 2)) "$good" >"\$out"
echo "curl: (18) transfer closed with outstanding read data remaining" >&2
exit 18
STUB
chmod +x "$T_TMP/stub-broken/curl"
reset
check_error "an interrupted download is an error naming the transfer failure" "closed with outstanding read data" \
  env PATH="$T_TMP/stub-broken:$PATH" "$fetch" "$T_TMP/r-up"
check "an interrupted download leaves nothing in the cache" cache_is_empty

# A fetch killed mid-download leaves a partial file; the next run ignores it.
cat >"$T_TMP/stub-hang/curl" <<STUB
#!/bin/sh
while [ \$# -gt 1 ]; do [ "\$1" = --output ] && out=\$2; shift; done
head -c $((size / 2)) "$good" >"\$out"
exec sleep 60
STUB
chmod +x "$T_TMP/stub-hang/curl"
reset
PATH="$T_TMP/stub-hang:$PATH" setsid "$fetch" "$T_TMP/r-up" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do [ -n "$(find "$MEMLEAN_CACHE/partial" -type f -size +0 2>/dev/null)" ] && break; sleep 0.1; done
kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"
wait "$pid" 2>/dev/null || true
if [ -z "$(find "$MEMLEAN_CACHE/sha256" -type f)" ] && [ -n "$(find "$MEMLEAN_CACHE/partial" -type f)" ]; then
  pass "a killed download leaves only a partial file, outside the trusted store"
else
  fail "a killed download leaves only a partial file, outside the trusted store" "$(find "$MEMLEAN_CACHE")"
fi
path=$("$fetch" "$T_TMP/r-up" 2>/dev/null || true)
check "the next run fetches a verified copy" cmp "$path" "$good"
expect "the next run removes the dead fetch's partial file" "$(find "$MEMLEAN_CACHE/partial" -type f | wc -l)" 0

# Fetches run side by side (scripts/build/build-set): one never removes the files
# of another that is still running (its download and its curl errors).
sleep 30 &
live=$!
: >"$MEMLEAN_CACHE/partial/download.partial.$live"
: >"$MEMLEAN_CACHE/partial/download.err.$live"
"$fetch" "$T_TMP/r-up" >/dev/null 2>&1 || true
expect "a running fetch's partial and error files are left alone" \
  "$(cd "$MEMLEAN_CACHE/partial" && printf '%s ' download.*)" "download.err.$live download.partial.$live "
kill "$live"

finish
