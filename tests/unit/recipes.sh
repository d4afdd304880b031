#!/usr/bin/env bash
# Recipes: every shipped recipe parses; bad recipes give one clear error.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out
fetch=$ROOT/scripts/build/fetch-source
for r in "$ROOT"/recipes/*/*; do
  check "recipe ${r#"$ROOT"/} parses" bash -c ". '$ROOT/scripts/lib.sh'; load_recipe '$r'"
done
mapfile -t runtime_recipes < <(grep -l '^PATCHES_' "$ROOT"/recipes/*/*)
for r in "${runtime_recipes[@]}"; do
  check "recipe ${r#"$ROOT"/} names its patches for every variant and they exist" bash -c "
    . '$ROOT/scripts/lib.sh'; load_recipe '$r'
    for v in \$MEMLEAN_VARIANTS; do for p in \$(recipe_patches \$v); do
      patch_path \$p >/dev/null || { echo \"missing patches/\$p.patch (or patches/\$p/)\"; exit 1; }
    done; done"
done

base="NAME=demo
VERSION=1.0.0
SERIES=1.0
SOURCE_URL=https://example.org/demo-1.0.0.tar.xz
SOURCE_SHA256=$(printf '%064d' 0)
SOURCE_SIZE=10"
bad() { # NAME PATTERN RECIPE-TEXT
  printf '%s\n' "$3" >"$T_TMP/recipe"
  check_error "$1" "$2" "$fetch" "$T_TMP/recipe"
}
bad "a missing checksum is named" "recipe: SOURCE_SHA256 is missing \(expected 64 lower-case hex digits of sha256\); add it" \
  "$(grep -v SHA256 <<<"$base")"
bad "a malformed checksum is named" "recipe: SOURCE_SHA256=abc is malformed" \
  "${base/SOURCE_SHA256=$(printf '%064d' 0)/SOURCE_SHA256=abc}"
bad "a malformed size is named" "recipe: SOURCE_SIZE=ten is malformed" \
  "${base/SOURCE_SIZE=10/SOURCE_SIZE=ten}"
bad "a mirror without its own checksum is rejected" "MIRROR_1_SHA256 is missing" \
  "$base
MIRROR_1_URL=https://example.org/m/demo.tar.xz"
bad "a line that is not KEY=value is rejected with its line number" "recipe:7: malformed line" \
  "$base
this is not a key"
bad "a value that could run code is rejected" "recipe:7: malformed value for EXTRA" \
  "$base
EXTRA=\$(reboot)"
bad "a key set twice is rejected" "SOURCE_SIZE is set twice" "$base
SOURCE_SIZE=11"
bad "a series that does not match the version is rejected" "SERIES=1.1 does not match VERSION=1.0.0" \
  "${base/SERIES=1.0/SERIES=1.1}"
printf '%s\nMALLOC_CONF=narenas\n' "${base/NAME=demo/NAME=jemalloc}" >"$T_TMP/jemalloc-recipe"
check_error "a malformed jemalloc MALLOC_CONF is named before anything is fetched" \
  "jemalloc-recipe: MALLOC_CONF=narenas is malformed \(expected jemalloc option:value pairs" \
  "$ROOT/scripts/build/build-jemalloc" "$T_TMP/jemalloc-recipe"
printf '%s\nGIT_DESCRIBE=5.3.1-g81034ce\n' "${base/NAME=demo/NAME=jemalloc}" >"$T_TMP/jemalloc-recipe"
check_error "a malformed jemalloc GIT_DESCRIBE is named before anything is fetched" \
  "jemalloc-recipe: GIT_DESCRIBE=5.3.1-g81034ce is malformed \(expected 1.0.0-<commits>-g<commit>" \
  "$ROOT/scripts/build/build-jemalloc" "$T_TMP/jemalloc-recipe"
check_error "a recipe that does not exist is named" "recipe .*nope does not exist" "$fetch" "$T_TMP/nope"

# Third-party recipes (KIND=third-party): a Debian version, no series.
third="KIND=third-party
NAME=ruby-demo
VERSION=3.1.20-0+deb13u2
SOURCE_URL=https://example.org/ruby-demo_3.1.20-0+deb13u2_all.deb
SOURCE_SHA256=$(printf '%064d' 0)"
printf '%s\n' "$third" >"$T_TMP/third"
check "a third-party recipe takes a Debian version and needs no series" \
  bash -c ". '$ROOT/scripts/lib.sh'; load_recipe '$T_TMP/third'; [ \"\$R_VERSION\" = 3.1.20-0+deb13u2 ]"
bad "an unknown KIND is named" "recipe: KIND=tool is malformed \(expected third-party, or no KIND line" "${third/KIND=third-party/KIND=tool}"
bad "a third-party recipe's DEBIAN_ARCH must be a Debian architecture" "recipe: DEBIAN_ARCH=x86_64 is malformed" "$third
DEBIAN_ARCH=x86_64"
bad "a runtime recipe still needs a release number" "VERSION=3.1.20-0\+deb13u2 is malformed \(expected a release number" \
  "$(grep -v KIND <<<"$third")"

finish
