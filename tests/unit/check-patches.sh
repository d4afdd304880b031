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
  printf '%s\n' NAME=demo VERSION=1.0.0 SERIES=1.0 "SOURCE_URL=$2" "SOURCE_SHA256=$sha" "SOURCE_SIZE=$size" GIT_TAG=v1.0.0 \
    'PATCHES_normal=""' 'PATCHES_malloctrim="demo/1.0/exact"' "PATCHES_jemalloc=\"$3\"" >"$T_TMP/root/recipes/demo/$1"
}
run() { MEMLEAN_ROOT=$T_TMP/root "$ROOT/scripts/build/check-patches" "$@"; }
cp -r "$ROOT/scripts" "$T_TMP/root/"
cp "$ROOT/recipes/variants" "$T_TMP/root/recipes/"
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

# A folder of memlean's own files (as patches/common/release-memory/) is
# added to the tree; a file upstream has already is never replaced.
mkdir -p "$T_TMP/root/patches/demo/1.0/added/sub" "$T_TMP/root/patches/demo/1.0/clash"
echo 'int added;' >"$T_TMP/root/patches/demo/1.0/added/sub/added.h"
echo 'not the numbers' >"$T_TMP/root/patches/demo/1.0/clash/numbers"
recipe added "file://$T_TMP/demo-1.0.0.tar.xz" "demo/1.0/exact demo/1.0/added"
recipe clash "file://$T_TMP/demo-1.0.0.tar.xz" "demo/1.0/clash"
out=$(run demo/added 2>&1) && rc=0 || rc=$?
expect "a folder of added files passes" "$rc $(grep -c 'demo/added .*jemalloc .*ok (2 patches)' <<<"$out")" "0 1"
out=$(run demo/clash 2>&1 || true)
check "a folder file that upstream has fails, named" grep -q 'demo/clash .*jemalloc .*FAILED: patches/demo/1.0/clash/numbers: the source tree has numbers already' <<<"$out"
check "the build adds the folder's files as they are" bash -c "
  . '$ROOT/scripts/lib.sh'; mkdir -p '$T_TMP/built'
  MEMLEAN_ROOT='$T_TMP/root' apply_patches '$T_TMP/built' '$T_TMP/root/patches/demo/1.0/added' >/dev/null &&
    cmp '$T_TMP/built/sub/added.h' '$T_TMP/root/patches/demo/1.0/added/sub/added.h'"
check "and the build stamp changes with a folder file's contents" bash -c "
  . '$ROOT/scripts/lib.sh'; a=\$(inputs_digest '$T_TMP/root/patches/demo/1.0/added')
  echo 'int changed;' >'$T_TMP/root/patches/demo/1.0/added/sub/added.h'
  [ \"\$a\" != \"\$(inputs_digest '$T_TMP/root/patches/demo/1.0/added')\" ]"

# --git: the source of an unreachable release comes from the upstream
# repository at the recipe's GIT_TAG (or --ref), files the patches touch only.
upstream=$T_TMP/upstream.git
git init -q "$T_TMP/upstream"
cp "$T_TMP/pkg/demo-1.0.0/numbers" "$T_TMP/upstream/"
git -C "$T_TMP/upstream" add numbers
git -C "$T_TMP/upstream" -c user.name=t -c user.email=t@t commit -qm 1.0.0
git -C "$T_TMP/upstream" tag v1.0.0
sed -i 's/^12$/XII/' "$T_TMP/upstream/numbers"
git -C "$T_TMP/upstream" -c user.name=t -c user.email=t@t commit -qam later
git -C "$T_TMP/upstream" branch -q moved
git clone -q --bare "$T_TMP/upstream" "$upstream"
out=$(run --git "$upstream" demo/away 2>&1 || true)
check "--git checks an unreachable release against its GIT_TAG" grep -q 'demo/away@v1.0.0 .*jemalloc .*ok (1 patches)' <<<"$out"
check "--git takes a work tree's repository too" run --git "$T_TMP/upstream" demo/away
check_error "--git with a patch that needs fuzz fails" "1 recipe/variant patch lists do not apply" run --git "$upstream" demo/fuzzy
check_error "--ref checks against another tag or branch (here one the patch does not fit)" \
  "2 recipe/variant patch lists do not apply" run --git "$upstream" --ref moved demo/away
check_error "a tag missing from the repository is named with what to do" \
  "demo/away: v9.9.9 is not in .*; give --ref with a tag or branch" run --git "$upstream" --ref v9.9.9 demo/away
check_error "--git on a directory that is not a repository is named" "--git $T_TMP/pkg is not a git repository" \
  run --git "$T_TMP/pkg" demo/away

finish
