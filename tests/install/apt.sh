#!/usr/bin/env bash
# Operators' view on this machine's Debian release: a clean root
# (mmdebstrap) trusts the test repository's key, apt-get installs the tiny
# and the minor package of every variant of Ruby and CPython with their
# -dbgsym packages, and each
# runtime passes tests/probes/verify-runtime from its /usr/bin entry point:
# variant name, the GC hook counted by the preload probe, a C-extension gem
# and pip package built in the root, and the whole-jemalloc check (which
# must fail on the other variants). Each runtime then starts once more in
# a bare chroot without /proc. Debian 13's cell goes through the same probe
# in tests/install/matrix.sh (make matrix installs it in a clean root).
. "$(dirname "$0")/../lib.sh"

# shellcheck source=scripts/lib.sh
host=$(. "$ROOT/scripts/lib.sh" && host_distro)
# tiny_and_minor RECIPE: the runtime package names of RECIPE's variants,
# tiny and minor.
tiny_and_minor() (
  # shellcheck source=scripts/lib.sh
  . "$ROOT/scripts/lib.sh"
  load_recipe "$(recipe_path "$1")"
  for v in $MEMLEAN_VARIANTS; do
    echo "memlean-$(build_id "$R_NAME" "$R_VERSION" "$v") memlean-$(build_id "$R_NAME" "$R_SERIES" "$v")"
  done | tr '\n' ' '
)
repo=$("$ROOT/tests/probes/test-repo") || { fail "the test repository is published"; finish; }
distro=$host
mapfile -t names < <(deb_names "$distro")
# Every package made for this distro is installed; these must be among them.
want="$(tiny_and_minor "$RUBY_RECIPE") $(tiny_and_minor "$PYTHON_RECIPE")"
missing=$(for n in $want; do grep -qx "$n" <<<"$(printf '%s\n' "${names[@]}")" || echo "$n"; done | tr '\n' ' ')
if [ -n "$missing" ]; then
  fail "$distro: the packages are built (missing: $missing; run: make packages DISTRO=$distro)"
  finish
fi
root=$T_TMP/root-$distro
if ! "$ROOT/scripts/env/make-root" "$distro" "$root" build-essential python3-setuptools-whl python3-wheel-whl \
  >"$T_TMP/root.log" 2>&1; then
  fail "$distro: a clean root is made" "$(tail -n 5 "$T_TMP/root.log")"
  finish
fi
# The same probe the generated CI runs in the bare distro image.
"$ROOT/scripts/env/in-root" "$root" --bind "$ROOT:/memlean:ro" --bind "$repo/repo:/srv/memlean:ro" -- \
  /memlean/tests/probes/install-from-repo "$distro" /srv/memlean "${names[@]}" >"$T_TMP/$distro.out" 2>&1 || true
report "$distro" "$T_TMP/$distro.out"
# Started the way a bare chroot or a minimal container starts them: no
# /proc, so ld.so cannot expand $ORIGIN (Debian's own ruby starts there).
if [ -e "$root/proc/self" ]; then
  fail "$distro: /proc is not mounted in the root after in-root"
else
  for n in $want; do
    case $n in
      memlean-ruby-*) code=(-e 'print RUBY_VERSION') ;;
      *) code=(-c 'import sys; print(sys.version.split()[0])') ;;
    esac
    check "$distro: /usr/bin/$n starts in a chroot without /proc" \
      chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin "/usr/bin/$n" "${code[@]}"
  done
fi
rm -rf "$root"

finish
