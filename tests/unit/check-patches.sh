#!/usr/bin/env bash
# check-patches: --fuzz=0, per variant, in recipe order; unreachable sources
# are reported as not checked rather than passed.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out
mkdir -p "$T_TMP/pkg/demo-1.0.0" "$T_TMP/root/patches/demo/1.0" "$T_TMP/root/recipes/demo"
seq 1 40 >"$T_TMP/pkg/demo-1.0.0/numbers"
tar -C "$T_TMP/pkg" -cJf "$T_TMP/demo-1.0.0.tar.xz" demo-1.0.0
sha=$(sha256sum "$T_TMP/demo-1.0.0.tar.xz" | cut -d' ' -f1)
size=$(stat -c %s "$T_TMP/demo-1.0.0.tar.xz")
# A patch whose context matches exactly, and one that needs fuzz to apply.
cat >"$T_TMP/root/patches/demo/1.0/exact.patch" <<'P'
Description: exact context
---
--- a/numbers
+++ b/numbers
@@ -9,7 +9,7 @@
 9
 10
 11
-12
+twelve
 13
 14
 15
P
sed -e 's/^ 9$/ nine/' -e 's/exact context/needs fuzz/' "$T_TMP/root/patches/demo/1.0/exact.patch" >"$T_TMP/root/patches/demo/1.0/fuzzy.patch"
recipe() { # NAME URL PATCHES-OF-JEMALLOC
  printf '%s\n' NAME=demo VERSION=1.0.0 SERIES=1.0 "SOURCE_URL=$2" "SOURCE_SHA256=$sha" "SOURCE_SIZE=$size" \
    'PATCHES_normal=""' 'PATCHES_malloctrim="demo/1.0/exact"' "PATCHES_jemalloc=\"$3\"" >"$T_TMP/root/recipes/demo/$1"
}
run() { MEMLEAN_ROOT=$T_TMP/root "$ROOT/scripts/check-patches" "$@"; }
cp -r "$ROOT/scripts" "$T_TMP/root/"
recipe good "file://$T_TMP/demo-1.0.0.tar.xz" "demo/1.0/exact"
recipe fuzzy "file://$T_TMP/demo-1.0.0.tar.xz" "demo/1.0/fuzzy"
recipe away "http://127.0.0.1:9/demo-1.0.0.tar.xz" "demo/1.0/exact"
sed -i "s/$sha/$(printf '%064d' 1)/" "$T_TMP/root/recipes/demo/away" # not in the cache either

check "patches with exact context pass" run demo/good
out=$(run demo/good 2>&1)
check "every variant is reported" grep -q 'demo/good .*jemalloc .*ok (1 patches)' <<<"$out"
check_error "a patch that needs fuzz fails the check" "1 recipe/variant patch lists do not apply" run demo/fuzzy
out=$(run demo/fuzzy 2>&1 || true)
check "the failing patch and variant are named" grep -q 'demo/fuzzy .*jemalloc .*FAILED: patches/demo/1.0/fuzzy.patch does not apply with --fuzz=0' <<<"$out"
out=$(run demo/away 2>&1)
check "an unreachable source is reported as not checked, not as passed" grep -q 'demo/away .*not checked: source unreachable here' <<<"$out"

finish
