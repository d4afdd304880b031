#!/usr/bin/env bash
# scripts/update/new-recipe and scripts/update/check-updates against stored copies of
# upstream's release data (tests/fixtures/upstream), offline: committed
# recipes come out byte for byte, a new release gets the series' patch
# lists, and bad data (a wrong checksum, a missing asset, a series without
# patches, a malformed file) is one error line with no recipe written.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out MEMLEAN_UPSTREAM_DIR=$T_TMP/upstream MEMLEAN_RECIPES=$T_TMP/recipes
export MEMLEAN_DEBIAN_POOL=file://$T_TMP/pool
new_recipe=$ROOT/scripts/update/new-recipe check_updates=$ROOT/scripts/update/check-updates
stored=$ROOT/tests/fixtures/upstream
fresh() { # the stored data and a copy of the committed recipes, an empty pool
  rm -rf "$MEMLEAN_UPSTREAM_DIR" "$MEMLEAN_RECIPES" "$T_TMP/pool"
  cp -r "$stored" "$MEMLEAN_UPSTREAM_DIR"
  cp -r "$ROOT/recipes" "$MEMLEAN_RECIPES"
  mkdir -p "$T_TMP/pool"
}
# ruby_release VERSION URL SHA256 SIZE: an entry of ruby-lang.org's list
ruby_release() {
  printf -- '- version: %s\n  date: 2026-12-01\n  url:\n    xz:  %s\n  size:\n    xz:  %s\n  sha256:\n    xz:  %s\n\n' "$1" "$2" "$4" "$3"
}
add_ruby() { ruby_release "$@" >>"$MEMLEAN_UPSTREAM_DIR/ruby-releases.yml"; }
no_recipe() { [ ! -e "$MEMLEAN_RECIPES/$1" ] && [ -z "$(find "$MEMLEAN_RECIPES" -name '*.tmp.*')" ]; }

fresh
for r in ruby/3.2.11 ruby/3.3.12 ruby/3.4.10 ruby/4.0.6; do
  "$new_recipe" --stdout "${r%/*}" "${r#*/}" >"$T_TMP/out.recipe" 2>"$T_TMP/err" || cat "$T_TMP/err"
  # The package revision is the maintainers' (a rebuild), not upstream's.
  check "the recipe new-recipe writes for $r is the committed one, byte for byte (less its package revision)" \
    cmp "$T_TMP/out.recipe" <(grep -v '^PACKAGE_REVISION=' "$ROOT/recipes/$r")
done
check "a committed recipe whose packages were rebuilt carries its revision" grep -qx 'PACKAGE_REVISION=3' "$ROOT/recipes/ruby/3.3.12"
add_ruby 3.3.99 https://cache.ruby-lang.org/pub/ruby/3.3/ruby-3.3.99.tar.xz "$(printf '%064d' 7)" 17968099
"$new_recipe" --stdout ruby 3.3.99 >"$T_TMP/out.recipe" 2>"$T_TMP/err" || cat "$T_TMP/err"
check "a new release starts at package revision 1, whatever the series' newest recipe was rebuilt as" \
  bash -c "grep -qx 'JEMALLOC=jemalloc/5.3.1' '$T_TMP/out.recipe' && ! grep -q '^PACKAGE_REVISION' '$T_TMP/out.recipe'"

# A new Ruby release: upstream's data, the series' patch lists.
fresh
add_ruby 4.0.99 https://cache.ruby-lang.org/pub/ruby/4.0/ruby-4.0.99.tar.xz "$(printf '%064d' 7)" 17968099
check "a new release gets a recipe" "$new_recipe" ruby 4.0.99
r=$MEMLEAN_RECIPES/ruby/4.0.99
check "it pins upstream's URL, sha256 and size" grep -qx "SOURCE_SHA256=$(printf '%064d' 7)" "$r"
check "and its size" grep -qx "SOURCE_SIZE=17968099" "$r"
check "its GIT_TAG is the release tag" grep -qx "GIT_TAG=v4_0_99" "$r"
check "it carries the patch lists of the series' newest recipe" \
  diff <(grep '^PATCHES_\|^JEMALLOC=' "$r") <(grep '^PATCHES_\|^JEMALLOC=' "$ROOT/recipes/ruby/4.0.6")
check "it loads as a recipe" bash -c ". '$ROOT/scripts/lib.sh'; load_recipe '$r'"
check_error "a second run refuses to overwrite it" "recipes/ruby/4.0.99 exists already" "$new_recipe" ruby 4.0.99

# The Debian pool as a mirror: only upstream's very bytes are added.
fresh
mkdir -p "$T_TMP/src/jemalloc-5.3.99" "$T_TMP/pool/j/jemalloc"
echo demo >"$T_TMP/src/jemalloc-5.3.99/VERSION"
tar -C "$T_TMP/src" -cjf "$T_TMP/jemalloc-5.3.99.tar.bz2" jemalloc-5.3.99
sha=$(sha256sum "$T_TMP/jemalloc-5.3.99.tar.bz2" | cut -d' ' -f1) size=$(stat -c %s "$T_TMP/jemalloc-5.3.99.tar.bz2")
jemalloc_release() { # SHA256: 5.3.99 served from $T_TMP
  jq --arg sha "$1" --arg size "$size" --arg url "file://$T_TMP/jemalloc-5.3.99.tar.bz2" \
    '. + [{tag_name: "5.3.99", prerelease: false, draft: false, published_at: "2026-12-01T00:00:00Z",
           assets: [{name: "jemalloc-5.3.99.tar.bz2", size: ($size | tonumber), digest: ("sha256:" + $sha), browser_download_url: $url}]}]' \
    "$stored/jemalloc-releases.json" >"$MEMLEAN_UPSTREAM_DIR/jemalloc-releases.json"
}
jemalloc_release "$sha"
cp "$T_TMP/jemalloc-5.3.99.tar.bz2" "$T_TMP/pool/j/jemalloc/jemalloc_5.3.99.orig.tar.bz2"
# The template's GIT_DESCRIBE among its settings, not its source lines.
t=$MEMLEAN_RECIPES/jemalloc/5.3.1
{ grep -v '^GIT_DESCRIBE=' "$t"; grep '^GIT_DESCRIBE=' "$t"; } >"$t.new" && mv "$t.new" "$t"
check "a jemalloc release whose source is fetched and matches gets a recipe" "$new_recipe" jemalloc 5.3.99
r=$MEMLEAN_RECIPES/jemalloc/5.3.99
check "the pool's identical file is its mirror" grep -qx "MIRROR_1_URL=file://$T_TMP/pool/j/jemalloc/jemalloc_5.3.99.orig.tar.bz2" "$r"
check "the series' settings are carried over" grep -qx "MALLOC_CONF=narenas:1" "$r"
check "what belongs to the template's own release (GIT_DESCRIBE) is not" bash -c "! grep -q GIT_DESCRIBE '$r'"
check "the source is in the cache, proven" test -f "$MEMLEAN_OUT/cache/sha256/$sha"
fresh
jemalloc_release "$sha"
mkdir -p "$T_TMP/pool/j/jemalloc"
echo repacked >"$T_TMP/pool/j/jemalloc/jemalloc_5.3.99.orig.tar.bz2"
"$new_recipe" --stdout jemalloc 5.3.99 >"$T_TMP/out.recipe" 2>/dev/null
check "a pool file with other bytes is named, not added" \
  bash -c "grep -q 'differs from upstream' '$T_TMP/out.recipe' && ! grep -q ^MIRROR_1 '$T_TMP/out.recipe'"

# Bad data: one error line, nothing written.
fresh
jemalloc_release "$(printf '%064d' 1)"
check_error "a release whose bytes do not match upstream's checksum is refused" \
  "jemalloc 5.3.99: the source does not match upstream's release data" "$new_recipe" jemalloc 5.3.99
check "and no recipe is written" no_recipe jemalloc/5.3.99
fresh
printf -- '- version: 4.0.98\n  date: 2026-12-01\n  url:\n    gz:  https://cache.ruby-lang.org/pub/ruby/4.0/ruby-4.0.98.tar.gz\n\n' >>"$MEMLEAN_UPSTREAM_DIR/ruby-releases.yml"
check_error "a release without its source asset is named" "ruby 4.0.98: upstream's release data lists the release but no source tarball" \
  "$new_recipe" ruby 4.0.98
check "and no recipe is written" no_recipe ruby/4.0.98
add_ruby 4.0.97 https://cache.ruby-lang.org/pub/ruby/4.0/ruby-4.0.97.tar.xz abc 17968099
check_error "a malformed checksum in upstream's data is refused" "gives no usable sha256" "$new_recipe" ruby 4.0.97
check "and no recipe is written" no_recipe ruby/4.0.97
add_ruby 4.1.0 https://cache.ruby-lang.org/pub/ruby/4.1/ruby-4.1.0.tar.xz "$(printf '%064d' 7)" 17968099
check_error "a series without patches says which folder to create" "no recipe of ruby 4.1 yet.*create patches/ruby/4.1/" \
  "$new_recipe" ruby 4.1.0
check "and no recipe is written" no_recipe ruby/4.1.0
check_error "a release upstream does not list is named" "ruby 4.0.55 is not in upstream's release data" "$new_recipe" ruby 4.0.55
printf '<html>rate limited</html>\n' >"$MEMLEAN_UPSTREAM_DIR/ruby-releases.yml"
check_error "a malformed release list is one error line" "ruby release data .* is malformed" "$new_recipe" ruby 4.0.99
check "and no recipe is written" no_recipe ruby/4.0.99
printf '{"message": "API rate limit exceeded"}\n' >"$MEMLEAN_UPSTREAM_DIR/jemalloc-releases.json"
check_error "a malformed jemalloc release list is one error line" "jemalloc release data .* is malformed" "$new_recipe" jemalloc 5.3.99
check_error "an unknown runtime is one error line" "unknown runtime 'perl'" "$new_recipe" perl 5.40.0
check_error "a malformed version is one error line" "version '4.0' is malformed" "$new_recipe" ruby 4.0
check_error "missing stored data is one error line" "no stored python release data" \
  env MEMLEAN_UPSTREAM_DIR="$T_TMP/nowhere" "$new_recipe" python 3.14.9

# CPython: the checksum from python.org's release files; no size stated.
fresh
jq '. + [{name: "XZ compressed source tarball", is_source: true, url: "https://www.python.org/ftp/python/3.14.99/Python-3.14.99.tar.xz",
          sha256_sum: "'"$(printf '%064d' 5)"'", sigstore_bundle_file: "https://www.python.org/ftp/python/3.14.99/Python-3.14.99.tar.xz.sigstore"}]' \
  "$stored/python-release-files.json" >"$MEMLEAN_UPSTREAM_DIR/python-release-files.json"
"$new_recipe" --stdout python 3.14.99 >"$T_TMP/out.recipe" 2>"$T_TMP/err"
check "a CPython release gets python.org's checksum and the series' patch lists" bash -c "
  grep -qx 'SOURCE_SHA256=$(printf '%064d' 5)' '$T_TMP/out.recipe' && grep -qx GIT_TAG=v3.14.99 '$T_TMP/out.recipe' &&
  diff <(grep '^PATCHES_' '$T_TMP/out.recipe') <(grep '^PATCHES_' '$ROOT/recipes/python/3.14.8')"
check "an unstated size is said, not invented" bash -c "! grep -q SOURCE_SIZE '$T_TMP/out.recipe' && grep -q 'size is not recorded' '$T_TMP/out.recipe'"

check "a Sigstore-signed release (3.14+) is recorded as not verified" grep -q "^# Signature: python.org's Sigstore bundle, not verified" "$T_TMP/out.recipe"

# CPython's GPG signatures (up to 3.13): a release manager's key of our own
# making stands in for python.org's, in keys of the test's own.
export GNUPGHOME=$T_TMP/gnupg MEMLEAN_KEYS=$T_TMP/keys
mkdir -p "$GNUPGHOME" "$MEMLEAN_KEYS/python" && chmod 700 "$GNUPGHOME"
new_key() { # NAME: prints the new signing key's fingerprint
  gpg --batch --quiet --passphrase '' --quick-gen-key "$1 <rm@example.org>" ed25519 sign never 2>/dev/null
  gpg --batch --with-colons --list-keys "$1 <rm@example.org>" 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }'
}
rm_fpr=$(new_key "Test Release Manager") other_fpr=$(new_key "Someone Else")
gpg --batch --armor --export "$rm_fpr" >"$MEMLEAN_KEYS/python/$rm_fpr.asc"
echo "3.13 $rm_fpr Test Release Manager" >"$MEMLEAN_KEYS/python/release-managers"
mkdir -p "$T_TMP/py/Python-3.13.99"
echo demo >"$T_TMP/py/Python-3.13.99/README"
tar -C "$T_TMP/py" -cJf "$T_TMP/Python-3.13.99.tar.xz" Python-3.13.99
py_release() { # SIGNER: 3.13.99 served from $T_TMP, signed by SIGNER
  rm -f "$T_TMP/Python-3.13.99.tar.xz.asc"
  gpg --batch --quiet --armor --detach-sign -u "$1" -o "$T_TMP/Python-3.13.99.tar.xz.asc" "$T_TMP/Python-3.13.99.tar.xz"
  jq --arg url "file://$T_TMP/Python-3.13.99.tar.xz" --arg sha "$(sha256sum "$T_TMP/Python-3.13.99.tar.xz" | cut -d' ' -f1)" \
    '. + [{name: "XZ compressed source tarball", is_source: true, url: $url, sha256_sum: $sha, gpg_signature_file: ($url + ".asc"),
           sigstore_bundle_file: ($url + ".sigstore")}]' "$stored/python-release-files.json" >"$MEMLEAN_UPSTREAM_DIR/python-release-files.json"
}
fresh
py_release "$rm_fpr"
"$new_recipe" --stdout python 3.13.99 >"$T_TMP/out.recipe" 2>"$T_TMP/err" || true
check "a release signed by its series' release manager is verified before anything else is checked" \
  grep -q "GPG signature verified with the key of Test Release Manager ($rm_fpr)" "$T_TMP/err"
check "(then its patches were checked: this stand-in tarball has none of CPython's files, so that fails and nothing is written)" \
  bash -c "grep -q 'error: python 3.13.99: the patches of 3.13.16 do not apply' '$T_TMP/err' && ! test -s '$T_TMP/out.recipe'"
fresh
py_release "$other_fpr"
check_error "a release signed by another key is refused" "python 3.13.99: its GPG signature does not verify with the key of Test Release Manager" \
  "$new_recipe" python 3.13.99
check "and no recipe is written" no_recipe python/3.13.99
fresh
py_release "$rm_fpr"
echo tampered >>"$T_TMP/Python-3.13.99.tar.xz.asc.tmp"
gpg --batch --quiet --armor --detach-sign -u "$rm_fpr" -o - "$T_TMP/Python-3.13.99.tar.xz.asc.tmp" >"$T_TMP/Python-3.13.99.tar.xz.asc"
check_error "a signature over other bytes is refused" "python 3.13.99: its GPG signature does not verify" "$new_recipe" python 3.13.99
rm "$MEMLEAN_KEYS/python/$rm_fpr.asc"
check_error "a missing release manager's key is named, with where to put it" "is not in keys/python/: add it as keys/python/$rm_fpr.asc" \
  "$new_recipe" python 3.13.99
gpgconf --kill gpg-agent 2>/dev/null || true
unset GNUPGHOME MEMLEAN_KEYS
check "the committed key of CPython 3.12/3.13's release manager has the fingerprint python.org publishes" bash -c "
  export GNUPGHOME=\$(mktemp -d -p '$T_TMP'); gpg --batch --quiet --import '$ROOT/keys/python/7169605F62C751356D054A26A821E680E5FA6305.asc' 2>/dev/null &&
  gpg --batch --with-colons --list-keys | awk -F: '\$1 == \"fpr\" { print \$10; exit }' | grep -qx 7169605F62C751356D054A26A821E680E5FA6305"

# check-updates: per shipped series, upstream's newest against ours.
fresh
unset MEMLEAN_RECIPES
"$check_updates" >"$T_TMP/updates" 2>&1
rc=$?
check "with upstream's data as stored, every series is current (exit 0)" test "$rc" = 0
check "each shipped series is listed" bash -c "grep -q '^ruby  *3.4 ' '$T_TMP/updates' && grep -q '^python  *3.14 ' '$T_TMP/updates' && grep -q '^jemalloc  *5.3 ' '$T_TMP/updates'"
check "a series past its end of life says so" grep -q '^ruby  *3.2 .*end of life' "$T_TMP/updates"
add_ruby 4.0.99 https://cache.ruby-lang.org/pub/ruby/4.0/ruby-4.0.99.tar.xz "$(printf '%064d' 7)" 1
add_ruby 4.0.98 https://cache.ruby-lang.org/pub/ruby/4.0/ruby-4.0.98.tar.xz "$(printf '%064d' 8)" 1
add_ruby 3.2.99 https://cache.ruby-lang.org/pub/ruby/3.2/ruby-3.2.99.tar.xz "$(printf '%064d' 9)" 1
rc=0
"$check_updates" >"$T_TMP/updates" 2>&1 || rc=$?
check "a series behind upstream fails the check (exit 1)" test "$rc" = 1
check "and names the command that makes the recipe" grep -q '^ruby  *4.0 .*behind: make new-recipe RUNTIME=ruby VERSION=4.0.99' "$T_TMP/updates"
check "a release in an end-of-life series is not behind" grep -q '^ruby  *3.2 .*end of life' "$T_TMP/updates"
expect "--behind lists every missing release, oldest first" "$("$check_updates" --behind 2>/dev/null | tr '\n' ' ')" "ruby 4.0.98 ruby 4.0.99 "
add_ruby 4.1.0 https://cache.ruby-lang.org/pub/ruby/4.1/ruby-4.1.0.tar.xz "$(printf '%064d' 7)" 1
"$check_updates" >"$T_TMP/updates" 2>&1 || true
check "a new series upstream is pointed out" grep -q '^ruby  *4.1 .*new series upstream: needs patches/ruby/4.1/' "$T_TMP/updates"
printf 'not json\n' >"$MEMLEAN_UPSTREAM_DIR/python-release-files.json"
check_error "malformed data is one error line" "python release data .* is malformed" "$check_updates"

finish
