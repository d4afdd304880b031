#!/usr/bin/env bash
# The upgrade path: a root installs the minor and the tiny package of one
# release; a newer build of the series (here the same release with its
# PACKAGE_REVISION bumped) is published
# into the same repository; apt-get upgrade moves the minor package, and the
# tiny package stays as it was. Publishing again keeps the earlier
# packages and leaves the earlier generation intact for readers still in it.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

distro=$(host_distro)
load_distro "$distro"
load_recipe "$(recipe_path "$RUBY_RECIPE")"
tiny=memlean-$(build_id ruby "$R_VERSION" normal) minor=memlean-$(build_id ruby "$R_SERIES" normal)
old=$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX new=$R_VERSION-$((R_PACKAGE_REVISION + 1))$D_VERSION_SUFFIX
arch=$(build_arch)
first=$T_TMP/first/$distro
mkdir -p "$first"
for p in "$tiny" "$minor"; do
  cp "$MEMLEAN_OUT/packages/$distro/${p}_${old}_$arch.deb" "$first/" 2>/dev/null ||
    { fail "$p $old is packaged (make packages)"; finish; }
done
key=$("$ROOT/tests/probes/test-repo")/secret-key.asc
repo=$T_TMP/repo
publish() { MEMLEAN_SIGNING_KEY=$key MEMLEAN_REPO=$repo MEMLEAN_PACKAGES=$1 "$ROOT/scripts/package/publish" >"$T_TMP/publish.log" 2>&1; }
check "publish $tiny and $minor $old" publish "$T_TMP/first"

# The newer build: the same stage with its PACKAGE_REVISION bumped, as a
# rebuild of the recipe with the revision bumped would make it (what the
# packages are made from is the stage; the build itself is tested in
# tests/artifact), packaged from a scratch out/ that links the build tree
# and debug info of the real one.
minor_id=$(build_id ruby "$R_SERIES" normal)
scratch=$T_TMP/out
mkdir -p "$scratch/stage" "$scratch/build" "$scratch/debug"
bumped() {
  local tree
  cp -a "$MEMLEAN_OUT/stage/$minor_id" "$scratch/stage/" &&
    sed -i "s/^PACKAGE_REVISION=.*/PACKAGE_REVISION=$((R_PACKAGE_REVISION + 1))/" "$scratch/stage/$minor_id/.memlean-build" &&
    tree=$(sed -n 's/^BUILD_TREE=//p' "$scratch/stage/$minor_id/.memlean-build") &&
    ln -s "$MEMLEAN_OUT/build/$tree" "$scratch/build/$tree" &&
    ln -s "$MEMLEAN_OUT/debug/$minor_id" "$scratch/debug/$minor_id" &&
    MEMLEAN_OUT=$scratch MEMLEAN_PACKAGES=$T_TMP/second "$ROOT/scripts/package/package-deb" "$minor_id"
}
if bumped >"$T_TMP/build.log" 2>&1; then
  pass "$minor $new is packaged"
else
  fail "$minor $new is packaged" "$(tail -n 5 "$T_TMP/build.log")"
  finish
fi

root=$T_TMP/root
"$ROOT/scripts/env/make-root" "$distro" "$root" >"$T_TMP/root.log" 2>&1 || { fail "a clean root is made" "$(tail -n 5 "$T_TMP/root.log")"; finish; }
in_root() { "$ROOT/scripts/env/in-root" "$root" --bind "$repo:/srv/memlean:ro" -- "$@"; }
install -d "$root/etc/apt/keyrings"
cp "$repo/memlean-archive-keyring.gpg" "$root/etc/apt/keyrings/memlean.gpg"
printf 'Types: deb\nURIs: file:/srv/memlean/apt\nSuites: %s\nComponents: main\nSigned-By: /etc/apt/keyrings/memlean.gpg\n' \
  "$D_CODENAME" >"$root/etc/apt/sources.list.d/memlean.sources"
check "apt-get install $tiny $minor" in_root sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $tiny $minor"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
versions() { echo "$tiny=$(in_root dpkg-query -W -f '${Version}' "$tiny") $minor=$(in_root dpkg-query -W -f '${Version}' "$minor")"; }
expect "installed at $old" "$(versions)" "$tiny=$old $minor=$old"

live=$(readlink "$repo/apt")
sums=$(cd "$repo/$live" && find . -type f -exec sha256sum {} + | sort)
check "publish $minor $new into the same repository" publish "$T_TMP/second"
check "the earlier generation is untouched, for readers still in it" \
  bash -c "[ \"\$(cd '$repo/$live' && find . -type f -exec sha256sum {} + | sort)\" = '$sums' ]"
check "the new generation is live and its InRelease is signed" \
  bash -c "[ \"\$(readlink '$repo/apt')\" != '$live' ] && gpgv --keyring '$repo/memlean-archive-keyring.gpg' '$repo/apt/dists/$D_CODENAME/InRelease'"
check "the earlier packages are still published" grep -q "^Package: $tiny\$" "$repo/apt/dists/$D_CODENAME/main/binary-$arch/Packages"

check "apt-get upgrade" in_root sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -q"
expect "apt-get upgrade moved the minor package; the tiny one stayed" "$(versions)" "$tiny=$old $minor=$new"
check "$tiny is intact (dpkg --verify)" in_root dpkg --verify "$tiny"
check "both run" in_root sh -c "/usr/bin/$tiny -e 'exit 0' && /usr/bin/$minor -e 'exit 0'"

finish
