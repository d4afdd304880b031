#!/usr/bin/env bash
# scripts/package/publish on small fake packages and a throwaway key: signed APT and
# YUM metadata, earlier packages kept, a changed package under a published
# version refused with the live repository left as it was, bad keys named.
. "$(dirname "$0")/../lib.sh"

export GNUPGHOME=$T_TMP/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "memlean unit test <unit@memlean.invalid>" rsa3072 sign 1d 2>/dev/null
gpg --batch --armor --export-secret-keys >"$T_TMP/key.asc"
unset GNUPGHOME

# fake_deb DIR NAME VERSION TEXT [DESCRIPTION] / fake_rpm DIR NAME VERSION TEXT [DESCRIPTION]
fake_deb() {
  local tree=$T_TMP/tree-$2-$3
  rm -rf "$tree"
  mkdir -p "$tree/DEBIAN" "$tree/usr/share/$2" "$1"
  printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nSection: misc\nPriority: optional\nMaintainer: t <t@memlean.invalid>\nDescription: fake\n %s\n' \
    "$2" "$3" "${5:-fake}" >"$tree/DEBIAN/control"
  echo "$4" >"$tree/usr/share/$2/file"
  SOURCE_DATE_EPOCH=1 dpkg-deb --root-owner-group --build "$tree" "$1/${2}_${3}_amd64.deb" >/dev/null
}
fake_rpm() {
  local top=$T_TMP/rpm-$2
  rm -rf "$top"
  mkdir -p "$1"
  printf 'Name: %s\nVersion: %s\nRelease: 1\nSummary: fake\nLicense: MIT\n%%description\n%s\n%%install\nmkdir -p %%{buildroot}/usr/share/%s\necho %s >%%{buildroot}/usr/share/%s/file\n%%files\n/usr/share/%s\n' \
    "$2" "$3" "${5:-fake}" "$2" "$4" "$2" "$2" >"$top.spec"
  rpmbuild -bb --quiet --target x86_64 --define "_topdir $top" --define "_rpmdir $1" \
    --define '_rpmfilename %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$top.spec" >/dev/null 2>&1
}
pk=$T_TMP/packages repo=$T_TMP/repo
fake_deb "$pk/debian-12" memlean-fake-a 1.0-1~deb12 one
fake_rpm "$pk/debian-12" memlean-fake-a 1.0 one
publish() { MEMLEAN_PACKAGES=$pk MEMLEAN_REPO=$repo MEMLEAN_SIGNING_KEY=${KEY-$T_TMP/key.asc} "$ROOT/scripts/package/publish"; }

check_error "no key: one error line that says how to give one" 'no signing key: set SIGNING_KEY' env KEY= bash -c "$(declare -f publish); pk=$pk repo=$repo publish"
echo 'not a key' >"$T_TMP/bad.asc"
check_error "a file that holds no key is named" "could not import the secret key from $T_TMP/bad.asc" \
  env KEY="$T_TMP/bad.asc" bash -c "$(declare -f publish); T_TMP=$T_TMP pk=$pk repo=$repo publish"
check_error "an empty package folder is named" "no packages in" \
  env MEMLEAN_PACKAGES="$T_TMP/none" MEMLEAN_REPO="$repo" MEMLEAN_SIGNING_KEY="$T_TMP/key.asc" "$ROOT/scripts/package/publish"

check "first publish" publish
keyring=$repo/memlean-archive-keyring.gpg
check "InRelease is signed by the key" gpgv --keyring "$keyring" "$repo/apt/dists/bookworm/InRelease"
check "Release.gpg is a valid detached signature" gpgv --keyring "$keyring" "$repo/apt/dists/bookworm/Release.gpg" "$repo/apt/dists/bookworm/Release"
check "repomd.xml is signed" gpgv --keyring "$keyring" "$repo/yum/debian-12/x86_64/repodata/repomd.xml.asc" "$repo/yum/debian-12/x86_64/repodata/repomd.xml"
rpm --dbpath "$T_TMP/rpmdb" --initdb && rpm --dbpath "$T_TMP/rpmdb" --import "$repo/memlean-archive-keyring.asc"
check "the rpm is signed" bash -c "rpm --dbpath '$T_TMP/rpmdb' -K '$repo'/yum/debian-12/x86_64/Packages/*.rpm | grep -q 'digests signatures OK'"
check "reprepro's conf and db are not served" test ! -e "$repo/apt/db" -a ! -e "$repo/apt/conf"

check "publishing the same packages again changes nothing it should not" publish
fake_deb "$pk/debian-12" memlean-fake-b 2.0-1~deb12 two
fake_rpm "$pk/debian-12" memlean-fake-b 2.0 two
rm "$pk/debian-12/memlean-fake-a_1.0-1~deb12_amd64.deb" "$pk/debian-12/memlean-fake-a-1.0-1.x86_64.rpm"
check "publish with one more package (and the first one no longer in out/packages)" publish
packages=$repo/apt/dists/bookworm/main/binary-amd64/Packages
check "the APT index keeps the earlier package and adds the new one" \
  bash -c "grep -q '^Package: memlean-fake-a\$' '$packages' && grep -q '^Package: memlean-fake-b\$' '$packages'"
check "the YUM repository keeps both" \
  bash -c "ls '$repo'/yum/debian-12/x86_64/Packages/memlean-fake-a-1.0-1.x86_64.rpm '$repo'/yum/debian-12/x86_64/Packages/memlean-fake-b-2.0-1.x86_64.rpm"
check "createrepo_c indexed both" bash -c "zcat '$repo'/yum/debian-12/x86_64/repodata/*primary.xml.gz | grep -c '<name>memlean-fake-' | grep -qx 2"

# A published version that comes back with other bytes is refused, and the
# live repository stays exactly as it was.
live_apt=$(readlink "$repo/apt") live_yum=$(readlink "$repo/yum")
fake_deb "$pk/debian-12" memlean-fake-b 2.0-1~deb12 changed
check_error "a changed .deb under a published version is refused" "memlean-fake-b_2.0-1~deb12_amd64.deb is published already with other content; bump PACKAGE_REVISION" publish
check "the live APT repository did not move" test "$(readlink "$repo/apt")" = "$live_apt"
check "no half-made generation is left" bash -c "[ \$(ls -d '$repo'/.apt.* | wc -l) -le 2 ] && ! ls -d '$repo'/.new.* 2>/dev/null"
fake_deb "$pk/debian-12" memlean-fake-b 2.0-1~deb12 two
fake_rpm "$pk/debian-12" memlean-fake-b 2.0 changed
check_error "a changed .rpm under a published version is refused" "memlean-fake-b-2.0-1.x86_64.rpm is published already with other content" publish
check "the live YUM repository did not move" test "$(readlink "$repo/yum")" = "$live_yum"

# CI's release runs rebuild every cell: with MEMLEAN_PUBLISH_KEEP=1 the
# published bytes stay, the rebuilt ones are skipped, new packages go in.
fake_deb "$pk/debian-12" memlean-fake-b 2.0-1~deb12 changed
fake_deb "$pk/debian-12" memlean-fake-c 3.0-1~deb12 three
fake_rpm "$pk/debian-12" memlean-fake-c 3.0 three
out=$(MEMLEAN_PUBLISH_KEEP=1 publish 2>&1) && rc=0 || rc=$?
expect "MEMLEAN_PUBLISH_KEEP=1: publishing rebuilt versions succeeds" "$rc" 0
check "it says which published versions it kept" grep -q 'memlean-fake-b 2.0-1~deb12 (amd64) is published already; kept' <<<"$out"
check "it says so for rpms too" grep -q 'memlean-fake-b-2.0-1.x86_64.rpm is published already; kept' <<<"$out"
pool_b=$(find "$repo/apt/pool" -name 'memlean-fake-b_2.0-1~deb12_amd64.deb')
check "the published .deb keeps its bytes" bash -c "dpkg-deb --fsys-tarfile '$pool_b' | tar -xO ./usr/share/memlean-fake-b/file | grep -qx two"
check "the published .rpm keeps its bytes" bash -c "rpm2cpio '$repo/yum/debian-12/x86_64/Packages/memlean-fake-b-2.0-1.x86_64.rpm' | cpio -i --to-stdout --quiet ./usr/share/memlean-fake-b/file | grep -qx two"
check "the new packages are in" bash -c "grep -q '^Package: memlean-fake-c\$' '$packages' && ls '$repo'/yum/debian-12/x86_64/Packages/memlean-fake-c-3.0-1.x86_64.rpm"

# An unoptimized CPython (what make test builds) is never published for
# operators; a test repository takes it with MEMLEAN_PUBLISH_UNOPTIMIZED=1.
unoptimized="Built with: UNOPTIMIZED (no PGO, no LTO: MEMLEAN_PYTHON_OPTIMIZE=0, a development build, not a release)."
live_apt=$(readlink "$repo/apt")
fake_deb "$pk/debian-12" memlean-fake-d 4.0-1~deb12 four "$unoptimized"
check_error "an unoptimized .deb is refused, named" "memlean-fake-d_4.0-1~deb12_amd64.deb is an unoptimized development build" publish
check "and nothing was published" test "$(readlink "$repo/apt")" = "$live_apt"
rm "$pk/debian-12/memlean-fake-d_4.0-1~deb12_amd64.deb"
fake_rpm "$pk/debian-12" memlean-fake-d 4.0 four "$unoptimized"
check_error "an unoptimized .rpm is refused too" "memlean-fake-d-4.0-1.x86_64.rpm is an unoptimized development build" publish
check "MEMLEAN_PUBLISH_UNOPTIMIZED=1 publishes it (test repositories)" env MEMLEAN_PUBLISH_UNOPTIMIZED=1 MEMLEAN_PUBLISH_KEEP=1 bash -c "$(declare -f publish); pk=$pk repo=$repo T_TMP=$T_TMP ROOT=$ROOT publish"
check "and it is in the YUM repository" test -f "$repo/yum/debian-12/x86_64/Packages/memlean-fake-d-4.0-1.x86_64.rpm"

finish
