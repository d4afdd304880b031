#!/usr/bin/env bash
# make deploy (scripts/package/deploy) as the release workflow runs it, to a
# site served over HTTP on 127.0.0.1, and the upgrade path: a first release
# is deployed; clean Debian 12 and Debian 13 roots install its minor Ruby
# package (Debian 12 its tiny one too) from the URL, the signature chain
# checked (Signed-By, no trusted=yes); a second release (a newer build of
# the series: the minor packages with their revision bumped) is deployed:
# the served site is fetched, verified, added to, signed again and switched
# in one step, and apt-get upgrade moves both roots' minor package to it
# while the tiny one stays, intact. The first release stays
# served (apt, the YUM repository checked with gpgv and rpm's signature
# check, the tarballs under a signed SHA256SUMS). A site that serves
# nothing, or whose signature does not verify, stops the deploy before
# anything is replaced.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
cd "$ROOT"

key=$(tests/probes/test-repo)/secret-key.asc
host=$(host_distro)
load_recipe "$(recipe_path "$RUBY_RECIPE")"
arch=$(build_arch)
# The minor packages each root installs: Debian 12's normal one, and the
# jemalloc one of the Debian 13 cell make test packages. Debian 12's root
# installs the tiny package of the same release too: the second release
# (a newer build of the series) moves the minor package and leaves it.
declare -A pkg=([debian-12]=memlean-$(build_id ruby "$R_SERIES" normal) [debian-13]=memlean-$(build_id ruby "$R_SERIES" jemalloc))
tiny=memlean-$(build_id ruby "$R_VERSION" normal)
first=$T_TMP/first second=$T_TMP/second
for distro in debian-12 debian-13; do
  load_distro "$distro"
  old=$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX
  deb=$MEMLEAN_OUT/packages/$distro/${pkg[$distro]}_${old}_$arch.deb
  [ -f "$deb" ] || { fail "${pkg[$distro]} $old is packaged for $distro (make test makes it)"; finish; }
  mkdir -p "$first/$distro" "$second/$distro"
  cp "$deb" "$first/$distro/"
  # The second release: the same package, its revision bumped.
  new=$R_VERSION-$((R_PACKAGE_REVISION + 1))$D_VERSION_SUFFIX
  dpkg-deb -R "$deb" "$T_TMP/repack"
  sed -i "s/^Version: .*/Version: $new/" "$T_TMP/repack/DEBIAN/control"
  dpkg-deb --root-owner-group -b "$T_TMP/repack" "$second/$distro/${pkg[$distro]}_${new}_$arch.deb" >/dev/null
  rm -rf "$T_TMP/repack"
done
# Each distro's first release has the tiny package of its variant too.
declare -A tinies=([debian-12]=$tiny [debian-13]=memlean-$(build_id ruby "$R_VERSION" jemalloc))
for distro in debian-12 debian-13; do
  load_distro "$distro"
  cp "$MEMLEAN_OUT/packages/$distro/${tinies[$distro]}_$R_VERSION-$R_PACKAGE_REVISION${D_VERSION_SUFFIX}_$arch.deb" "$first/$distro/" ||
    { fail "${tinies[$distro]} is packaged for $distro (make test makes it)"; finish; }
done
rpm=$(compgen -G "$MEMLEAN_OUT/packages/$host/memlean-$(build_id ruby "$R_VERSION" jemalloc)-[0-9]*.rpm" | head -n 1 || true)
[ -n "$rpm" ] || { fail "the Ruby jemalloc rpm is packaged (make test makes it)"; finish; }
cp "$rpm" "$first/$host/"
# One tarball, as make tarballs leaves it.
tarball=$(compgen -G "$MEMLEAN_OUT/tarballs/ruby/jemalloc/ruby-$R_VERSION.*.tar.gz" | head -n 1 || true)
[ -n "$tarball" ] || { fail "the Ruby jemalloc tarball is made (tests/artifact/tarballs.sh makes it)"; finish; }
mkdir -p "$T_TMP/out/tarballs/ruby/jemalloc"
cp "$tarball" "$tarball.info" "$tarball.sha256" "$tarball.cdx.json" "$T_TMP/out/tarballs/ruby/jemalloc/"

web=$T_TMP/web
mkdir -p "$web"
serve_dir "$web" || { fail "a site is served on 127.0.0.1"; finish; }
url=$SERVED_URL/repo
# deploy PACKAGES [VAR=value...]: make deploy of PACKAGES from $url to
# $web/repo (the VARs last: they win).
deploy() {
  local packages=$1
  shift
  env MEMLEAN_OUT="$T_TMP/out" MEMLEAN_PACKAGES="$packages" MEMLEAN_SIGNING_KEY="$key" MEMLEAN_DEPLOY_URL="$url" \
    MEMLEAN_DEPLOY_TO="$web/repo" MEMLEAN_PUBLISH_UNOPTIMIZED=1 "$@" scripts/package/deploy
}

check_error "a site that cannot be reached stops the deploy" 'could not be reached.*nothing was deployed' deploy "$first" MEMLEAN_DEPLOY_URL=http://127.0.0.1:9/repo
check_error "a site that serves nothing stops the deploy (FIRST=1 is for the first release)" 'serves no repository .*FIRST=1' deploy "$first"
check "and nothing is served" test ! -e "$web/repo"
out=$(deploy "$first" MEMLEAN_DEPLOY_FIRST=1 2>&1) && rc=0 || rc=$?
expect "deploy the first release (FIRST=1)" "$rc" 0
[ "$rc" -eq 0 ] || { tail -n 10 <<<"$out" | sed 's/^/  # /'; finish; }
check "the site is a link to its generation" test -L "$web/repo"

# The roots install from the URL, with the keyring the site serves.
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
installed() { scripts/env/in-root "$1" -- dpkg-query -W -f '${Version}' "$2"; }
declare -A root=()
for distro in debian-12 debian-13; do
  root[$distro]=$T_TMP/root-$distro
  if ! scripts/env/make-root "$distro" "${root[$distro]}" curl >"$T_TMP/root-$distro.log" 2>&1; then
    fail "a clean $distro root is made" "$(tail -n 5 "$T_TMP/root-$distro.log")"
    finish
  fi
  load_distro "$distro"
  r=${root[$distro]}
  install -d "$r/etc/apt/keyrings"
  scripts/env/in-root "$r" -- curl -fsS -o /etc/apt/keyrings/memlean.gpg "$url/memlean-archive-keyring.gpg"
  printf 'Types: deb\nURIs: %s/apt\nSuites: %s\nComponents: main\nSigned-By: /etc/apt/keyrings/memlean.gpg\n' "$url" "$D_CODENAME" \
    >"$r/etc/apt/sources.list.d/memlean.sources"
  wanted=${pkg[$distro]}
  [ "$distro" != debian-12 ] || wanted="$wanted $tiny"
  check "$distro: apt-get install $wanted from $url" \
    scripts/env/in-root "$r" -- sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $wanted"
  expect "$distro: installed at the first release" "$(installed "$r" "${pkg[$distro]}")" \
    "$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX"
done
check "the apt sources say no trusted=yes" bash -c "! grep -rq trusted '${root[debian-12]}/etc/apt/sources.list.d' '${root[debian-13]}/etc/apt/sources.list.d'"

# A served site whose signature does not verify: nothing is deployed.
cp -aL "$web/repo" "$web/tampered"
sed -i 's/^Label: memlean/Label: tampered/' "$web/tampered/apt/dists/bookworm/InRelease"
before=$(readlink "$web/repo")
check_error "a served InRelease whose signature does not verify stops the deploy" 'does not verify with the signing key; nothing was deployed' \
  deploy "$second" MEMLEAN_DEPLOY_URL="$SERVED_URL/tampered"
expect "and the served site is the same" "$(readlink "$web/repo")" "$before"
rm -rf "$web/tampered"
cp -aL "$web/repo" "$web/tampered"
f=$(find "$web/tampered/apt/pool" -name '*.deb' | head -n 1)
printf 'x' >>"$f"
check_error "a served package that does not match its signed index stops the deploy" 'does not match the sha256 its signed index gives; nothing was deployed' \
  deploy "$second" MEMLEAN_DEPLOY_URL="$SERVED_URL/tampered"
expect "and the served site is the same" "$(readlink "$web/repo")" "$before"

out=$(deploy "$second" 2>&1) && rc=0 || rc=$?
expect "deploy the second release (the served site fetched, verified, added to)" "$rc" 0
[ "$rc" -eq 0 ] || tail -n 10 <<<"$out" | sed 's/^/  # /'
check "the switch was one link" bash -c "[ \"\$(readlink '$web/repo')\" != '$before' ] && [ -d '$web/$before' ]"
for distro in debian-12 debian-13; do
  load_distro "$distro"
  # reprepro keeps one version of each package (Debian 12's has no Limit:
  # option): the minor package moved to the second release; each release's
  # tiny package (its own name) stays.
  curl -fsS -o "$T_TMP/Packages" "$url/apt/dists/$D_CODENAME/main/binary-$arch/Packages"
  served_version() { awk -v p="$1" '$1 == "Package:" { on = ($2 == p) } on && $1 == "Version:" { print $2 }' "$T_TMP/Packages" | tr '\n' ' '; }
  expect "$distro: the second release's ${pkg[$distro]} is served" "$(served_version "${pkg[$distro]}")" "$R_VERSION-$((R_PACKAGE_REVISION + 1))$D_VERSION_SUFFIX "
  expect "$distro: the first release's ${tinies[$distro]} is still served" "$(served_version "${tinies[$distro]}")" "$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX "
  r=${root[$distro]}
  check "$distro: apt-get upgrade" scripts/env/in-root "$r" -- sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -q"
  expect "$distro: upgraded to the second release" "$(installed "$r" "${pkg[$distro]}")" \
    "$R_VERSION-$((R_PACKAGE_REVISION + 1))$D_VERSION_SUFFIX"
  check "$distro: it runs" scripts/env/in-root "$r" -- "/usr/bin/${pkg[$distro]}" -e 'exit 0'
done
load_distro debian-12
expect "debian-12: the tiny package stayed at its release" "$(installed "${root[debian-12]}" "$tiny")" "$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX"
check "debian-12: $tiny is intact (dpkg --verify) and runs" \
  scripts/env/in-root "${root[debian-12]}" -- sh -c "dpkg --verify $tiny && /usr/bin/$tiny -e 'exit 0'"

# The first release's rpm and tarball are still served, signed.
curl -fsS -o "$T_TMP/keyring.gpg" "$url/memlean-archive-keyring.gpg"
curl -fsS -o "$T_TMP/keyring.asc" "$url/memlean-archive-keyring.asc"
rpm_arch=$(rpm -qp --qf '%{ARCH}' "$rpm" 2>/dev/null)
repodata=$url/yum/$host/$rpm_arch/repodata
curl -fsS -o "$T_TMP/repomd.xml" "$repodata/repomd.xml" && curl -fsS -o "$T_TMP/repomd.xml.asc" "$repodata/repomd.xml.asc"
check "yum: repomd.xml's signature verifies" gpgv --keyring "$T_TMP/keyring.gpg" "$T_TMP/repomd.xml.asc" "$T_TMP/repomd.xml"
curl -fsS -o "$T_TMP/served.rpm" "$url/yum/$host/$rpm_arch/Packages/$(basename "$rpm")"
rpm --dbpath "$T_TMP/rpmdb" --initdb && rpm --dbpath "$T_TMP/rpmdb" --import "$T_TMP/keyring.asc"
check "yum: the first release's rpm is served, and rpm checks its signature" \
  bash -c "rpm --dbpath '$T_TMP/rpmdb' -K '$T_TMP/served.rpm' | grep -q 'signatures OK'"
curl -fsS -o "$T_TMP/SHA256SUMS" "$url/tarballs/SHA256SUMS" && curl -fsS -o "$T_TMP/SHA256SUMS.asc" "$url/tarballs/SHA256SUMS.asc"
check "tarballs: SHA256SUMS's signature verifies" gpgv --keyring "$T_TMP/keyring.gpg" "$T_TMP/SHA256SUMS.asc" "$T_TMP/SHA256SUMS"
check "tarballs: the first release's tarball is still listed and served" \
  bash -c "grep -q ' ruby/jemalloc/$(basename "$tarball")\$' '$T_TMP/SHA256SUMS' && curl -fsS -o /dev/null '$url/tarballs/ruby/jemalloc/$(basename "$tarball")'"
finish
