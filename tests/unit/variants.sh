#!/usr/bin/env bash
# recipes/variants is the one list of the variants: the scripts' names, the
# README's variant table, the images' label and the packages' description
# all come from it.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/scripts/lib.sh"

names=$(awk -F'|' '!/^#/ && NF { print $1 }' "$ROOT/recipes/variants" | tr '\n' ' ')
expect "MEMLEAN_VARIANTS is the file's names, in order" "$MEMLEAN_VARIANTS " "$names"
for v in $MEMLEAN_VARIANTS; do
  summary=$(variant_summary "$v")
  check "the README's variant table says $v's summary" grep -qF -- "| \`$v\` | $summary |" "$ROOT/README.md"
  check "the generated images of $v carry it as their description" \
    bash -c "grep -rlF -- '$v variant ($summary)' '$ROOT/ci/images' | grep -q /$v/"
done
check "the jemalloc description names the version the build carries" \
  bash -c ". '$ROOT/scripts/lib.sh'; variant_description jemalloc 9.8.7 | grep -q '^jemalloc 9.8.7 (a private copy)'"
printf 'normal|only a name and a summary\n' >"$T_TMP/variants"
check_error "a variant without its description is one error line that names the file" \
  "$T_TMP/variants has no variant 'normal' with 3 fields" \
  env MEMLEAN_VARIANTS_FILE="$T_TMP/variants" bash -c ". '$ROOT/scripts/lib.sh'; variant_description normal"
check "a test's MEMLEAN_ROOT does not move the list" \
  env MEMLEAN_ROOT="$T_TMP" bash -c ". '$ROOT/scripts/lib.sh'; [ \"\$MEMLEAN_VARIANTS\" = 'normal malloctrim jemalloc' ]"
finish
