#!/usr/bin/env bash
# Wrong or missing build parameters stop at once with a correct example.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out
# What the suite builds with (tests/suite) is not what these cases test:
# each one sets MEMLEAN_PYTHON_OPTIMIZE itself, or means the default.
unset MEMLEAN_PYTHON_OPTIMIZE
cd "$ROOT"
check_error "make build without RECIPE shows a correct call" \
  "RECIPE not set; e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc" make -s build VARIANT=jemalloc
check_error "make build without VARIANT shows a correct call" \
  "VARIANT not set \(one of: normal malloctrim jemalloc\); e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc" \
  make -s build RECIPE=ruby/3.3.8
check_error "an unknown variant is named with the valid ones" \
  "unknown variant 'tcmalloc' \(expected one of: normal malloctrim jemalloc\); e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc" \
  make -s build RECIPE=ruby/3.3.8 VARIANT=tcmalloc
check_error "an unknown recipe is named" "recipe .*recipes/ruby/9.9.9 does not exist" \
  make -s build RECIPE=ruby/9.9.9 VARIANT=normal

sed 's#^PATCHES_jemalloc=.*#PATCHES_jemalloc="ruby/3.3/no-such-fix"#' recipes/ruby/3.3.8 >"$T_TMP/3.3.8"
check_error "a recipe naming a missing patch is stopped before any work" \
  "PATCHES_jemalloc names ruby/3.3/no-such-fix, but patches/ruby/3.3/no-such-fix.patch does not exist" \
  scripts/build/build-one "$T_TMP/3.3.8" jemalloc
grep -v '^PATCHES_malloctrim' recipes/ruby/3.3.8 >"$T_TMP/3.3.8"
check_error "a recipe without a variant's patch list says how to add it" \
  "PATCHES_malloctrim is missing .*PATCHES_malloctrim=\"\"" scripts/build/build-one "$T_TMP/3.3.8" malloctrim
check "no half-built stage is left by refused builds" test ! -e "$MEMLEAN_OUT/stage"

stamp() { bash -c ". '$ROOT/scripts/lib.sh'; build_stamp '$ROOT/recipes/python/3.13.5'"; }
plain=$(stamp)
expect "the build stamp is stable" "$(stamp)" "$plain"
check "an unoptimized build (MEMLEAN_PYTHON_OPTIMIZE=0) does not reuse a release build's stage" \
  test "$(MEMLEAN_PYTHON_OPTIMIZE=0 stamp)" != "$plain"
check_error "a wrong MEMLEAN_PYTHON_OPTIMIZE is refused" "MEMLEAN_PYTHON_OPTIMIZE is 'yes' \(expected 1" \
  env MEMLEAN_PYTHON_OPTIMIZE=yes bash -c ". '$ROOT/scripts/lib.sh'; variant_label python jemalloc"
expect "an unoptimized CPython names itself so" \
  "$(MEMLEAN_PYTHON_OPTIMIZE=0 bash -c ". '$ROOT/scripts/lib.sh'; variant_label python jemalloc")" jemalloc-unoptimized
expect "a build's stamp takes the build's helpers, not the benchmarks'" \
  "$(bash -c ". '$ROOT/scripts/lib.sh'; build_libs" | sed "s|^$ROOT/||" | tr '\n' ' ')" \
  "scripts/lib.sh scripts/lib/core.sh scripts/lib/recipes.sh scripts/lib/build.sh "
expect "a release CPython names its variant only" "$(bash -c ". '$ROOT/scripts/lib.sh'; variant_label python jemalloc")" jemalloc

finish
