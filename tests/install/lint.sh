#!/usr/bin/env bash
# lintian and rpmlint find nothing to report: no error, and every warning
# they would give is overridden with its reason in packaging/
# (deb/lintian-overrides/, rpm/rpmlint.toml). lintian takes about 15 s a
# package, so it checks every tiny package of this machine's distro, one
# minor package there (CPython's normal one: the minor line is the tiny
# line's build moved by scripts/build/relocate, which rewrites files), and
# Ruby's tiny jemalloc package of debian-13; rpmlint checks the
# signed rpms of the test repository.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

host=$(host_distro)
# lint_one "DISTRO ID": lintian on that package and its -dbgsym, its output
# in $T_TMP/lint-DISTRO-ID (two run at a time: lintian uses one core).
lint_one() {
  local distro=${1% *} id=${1#* }
  "$ROOT/scripts/package/lint-packages" "$MEMLEAN_OUT/packages/$distro/memlean-${id}_"*.deb \
    "$MEMLEAN_OUT/packages/$distro/memlean-$id-dbgsym_"*.deb >"$T_TMP/lint-$distro-$id" 2>&1
}
tasks=()
for distro in "$host" debian-13; do
  # debian-13: make test packages Ruby's jemalloc variant only there
  recipes=("$RUBY_RECIPE")
  [ "$distro" != "$host" ] || recipes+=("$PYTHON_RECIPE")
  for recipe in "${recipes[@]}"; do
    load_recipe "$(recipe_path "$recipe")"
    ids=()
    for v in $MEMLEAN_VARIANTS; do
      [ "$distro" = "$host" ] || [ "$v" = jemalloc ] || continue
      ids+=("$(build_id "$R_NAME" "$R_VERSION" "$v")")
      if [ "$distro" = "$host" ] && [ "$R_NAME" = python ] && [ "$v" = normal ]; then
        ids+=("$(build_id "$R_NAME" "$R_SERIES" "$v")")
      fi
    done
    for id in "${ids[@]}"; do
      debs=("$MEMLEAN_OUT/packages/$distro/memlean-${id}_"*.deb "$MEMLEAN_OUT/packages/$distro/memlean-$id-dbgsym_"*.deb)
      if [ ! -f "${debs[0]}" ]; then
        fail "$distro: memlean-$id is packaged (make packages DISTRO=$distro)"
        continue
      fi
      tasks+=("$distro $id")
    done
  done
done
side_by_side 2 lint_one "${tasks[@]}"
for task in "${tasks[@]}"; do
  name="${task% *}: lintian reports nothing on memlean-${task#* } and its -dbgsym"
  failed=0
  for f in ${SIDE_BY_SIDE_FAILED[@]+"${SIDE_BY_SIDE_FAILED[@]}"}; do [ "$f" != "$task" ] || failed=1; done
  if [ "$failed" = 1 ]; then fail "$name" "$(cat "$T_TMP/lint-${task% *}-${task#* }")"; else pass "$name"; fi
done

repo=$("$ROOT/tests/probes/test-repo") || { fail "the test repository is published"; finish; }
mapfile -t rpms < <(find "$repo/repo/yum/" -name '*.rpm' | sort)
if [ ${#rpms[@]} -eq 0 ]; then
  fail "the test repository holds rpms"
else
  check "rpmlint: 0 errors, 0 warnings on ${#rpms[@]} signed rpms" "$ROOT/scripts/package/lint-packages" "${rpms[@]}"
fi

finish
