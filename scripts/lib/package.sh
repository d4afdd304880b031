# shellcheck shell=bash
# shellcheck disable=SC2034 # PKG_* and the loaded B_/D_/P_ values are for the sourcing script
# Helpers for the package-* and publish scripts, sourced after lib.sh.
# Loading this file does nothing but define functions.

MEMLEAN_PACKAGES=${MEMLEAN_PACKAGES:-$MEMLEAN_OUT/packages}

# load_stage ID: checks out/stage/ID and sets B_<KEY> from its .memlean-build,
# D_<KEY> from its distro, P_<KEY> from packaging/runtimes/<runtime>, and the
# package facts every format shares (PKG_*).
load_stage() {
  local id=$1
  STAGE=$MEMLEAN_OUT/stage/$id
  DEBUG_ROOT=$MEMLEAN_OUT/debug/$id
  [ -f "$STAGE/.memlean-build" ] ||
    die "no built stage $STAGE (expected out/stage/<id>/.memlean-build); build it first, e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc"
  [ -d "$DEBUG_ROOT" ] || die "no debug info $DEBUG_ROOT for $id; rebuild it (make build ...)"
  parse_kv "$STAGE/.memlean-build" B_
  [ "$B_ID" = "$id" ] || die "$STAGE/.memlean-build says ID=$B_ID; the stage was moved, rebuild it"
  load_distro "$B_DISTRO"
  parse_kv "$MEMLEAN_ROOT/packaging/runtimes/$B_NAME" P_
  PKG_NAME=memlean-$B_ID
  PKG_TINY=memlean-$(build_id "$B_NAME" "$B_VERSION" "$B_VARIANT")
  PKG_MINOR=memlean-$(build_id "$B_NAME" "$B_SERIES" "$B_VARIANT")
  PKG_ENTRY=/usr/bin/memlean-$B_ID
  PKG_DEB_VERSION=$B_VERSION-$B_PACKAGE_REVISION$D_VERSION_SUFFIX
  # An rpm built on a deb distro (to test the rpm path here) takes the
  # distro's RPM_DIST; on rpm distros the suffix is the dist tag (.el9).
  PKG_RPM_RELEASE=$B_PACKAGE_REVISION${D_RPM_DIST:-$D_VERSION_SUFFIX}
  PKG_MAINTAINER=${MEMLEAN_MAINTAINER:-memlean maintainers <maintainers@memlean.invalid>}
  PKG_SUMMARY="$P_TITLE $B_VERSION, memlean $B_VARIANT variant"
  PKG_LICENSE_DIR=$MEMLEAN_OUT/build/${B_BUILD_TREE:?$STAGE/.memlean-build names no BUILD_TREE; rebuild $id}
}

# package_description: the long description, paragraphs separated by blank
# lines, unwrapped.
package_description() {
  printf '%s\n\n' "memlean's build of $P_TITLE $B_VERSION for $B_DISTRO, $B_VARIANT variant: $(variant_text)"
  printf '%s\n\n' "It installs at $B_PREFIX, next to the distribution's own $P_EXE and never instead of it; $PKG_ENTRY runs it."
  printf '%s\n\n' "Built with: ${B_OPTIMIZATION:?$STAGE/.memlean-build does not say how it was optimized; rebuild $B_ID}."
  if [ "$B_LINE" = tiny ]; then
    printf '%s\n' "This package stays at $B_VERSION; $PKG_MINOR follows the newest $B_SERIES release."
  else
    printf '%s\n' "This package follows the newest $B_SERIES release (now $B_VERSION) and is upgraded in place; $PKG_TINY stays at $B_VERSION."
  fi
}

variant_text() { # one line: the variant's description, then its knobs
  local knobs=''
  [ "$B_VARIANT" = normal ] ||
    knobs=" MEMLEAN_TRIM=0 switches the release off; MEMLEAN_RELEASE_PERIOD_MS, MEMLEAN_IDLE_MS and MEMLEAN_TRIM_INTERVAL_MS tune it."
  printf '%s%s\n' "$(variant_description "$B_VARIANT" "$B_JEMALLOC_VERSION")" "$knobs"
}

# copyright_text: the copyright file: what this is, then the upstream
# license files of the runtime (and of jemalloc) as shipped in their sources.
copyright_text() {
  local f jemalloc_tree
  printf '%s\n' "$PKG_NAME: memlean's build of $P_TITLE $B_VERSION ($B_VARIANT variant)," \
    "made from the upstream source (sha256 $B_SOURCE_SHA256) with memlean's" \
    "patches. $P_TITLE's license, as shipped in its source:"
  for f in $P_LICENSE_FILES; do
    [ -f "$PKG_LICENSE_DIR/$f" ] || die "license file $PKG_LICENSE_DIR/$f is missing; rebuild $B_ID (make build ...)"
    printf '\n==> %s <==\n\n' "$f"
    cat "$PKG_LICENSE_DIR/$f"
  done
  if [ -n "$B_JEMALLOC_VERSION" ]; then
    jemalloc_tree=$MEMLEAN_OUT/build/jemalloc-$B_JEMALLOC_VERSION
    printf '\n%s\n' "It contains jemalloc $B_JEMALLOC_VERSION (lib/libjemalloc_memlean.so.2), whose license is:"
    for f in $(parse_kv "$MEMLEAN_ROOT/packaging/runtimes/jemalloc" J_ && echo "$J_LICENSE_FILES"); do
      [ -f "$jemalloc_tree/$f" ] || die "license file $jemalloc_tree/$f is missing; rebuild jemalloc (make build ... VARIANT=jemalloc)"
      printf '\n==> jemalloc/%s <==\n\n' "$f"
      cat "$jemalloc_tree/$f"
    done
  fi
}

# copy_payload DEST: the stage's files a package carries (all but EXCLUDE),
# plus the /usr/bin entry point.
copy_payload() {
  local dest=$1 path
  mkdir -p "$dest"
  cp -a "$STAGE/usr" "$dest/"
  for path in $P_EXCLUDE; do
    path=${path//@SERIES@/$B_SERIES}
    [ -e "$dest$B_PREFIX/$path" ] || die "packaging/runtimes/$B_NAME excludes $path, but $B_PREFIX/$path is not in the stage; fix EXCLUDE"
    rm -rf "${dest:?}$B_PREFIX/$path"
  done
  # The SBOM travels with the runtime's files (an image installs them).
  mkdir -p "$dest$B_PREFIX/share/memlean"
  "$MEMLEAN_ROOT/scripts/package/sbom" "$B_ID" >"$dest$B_PREFIX/share/memlean/sbom.cdx.json"
  mkdir -p "$dest/usr/bin"
  ln -s "../lib/memlean/$B_NAME/$(basename "$B_PREFIX")/bin/$P_EXE" "$dest$PKG_ENTRY"
  [ -x "$dest$B_PREFIX/bin/$P_EXE" ] || die "$B_PREFIX/bin/$P_EXE is not in the stage; the entry point would dangle"
}

# mangle_shebangs PREFIX-DIR: executable scripts under PREFIX-DIR that would
# run a ruby or python from PATH (#!/usr/bin/env ruby: the gems' exe/ files,
# stdlib tools) run this package's interpreter instead, as rpm's
# brp-mangle-shebangs does on Fedora.
mangle_shebangs() {
  local f
  while IFS= read -r -d '' f; do
    [ "$(head -c 2 "$f")" = '#!' ] || continue
    sed -i -E "1s@^#! *(/usr/bin/env +|/usr/(local/)?bin/)(ruby|python[0-9.]*)( |\$)@#!$B_PREFIX/bin/$P_EXE\4@" "$f"
  done < <(find "$1" -type f -perm /111 -print0)
}

# hardlink_bytecode DIR: an optimized .pyc that is byte-identical to the
# less optimized one (no docstrings or asserts to drop) becomes a hard link
# to it, as rpm's brp-python-hardlink does on Fedora.
hardlink_bytecode() {
  local f base
  while IFS= read -r -d '' f; do
    base=${f%.opt-1.pyc}
    [ "$f" != "$base" ] || base=${f%.opt-2.pyc}.opt-1
    [ -f "$base.pyc" ] && cmp -s "$f" "$base.pyc" && ln -f "$base.pyc" "$f"
  done < <(find "$1" -type f \( -name '*.opt-1.pyc' -o -name '*.opt-2.pyc' \) -print0 | sort -z)
  return 0
}

# unexec_library_scripts PREFIX-DIR: library files under PREFIX-DIR (all but
# bin/) that carry a ruby or python #! line and an execute bit (CPython's
# stdlib modules, the gems' exe/ files) lose the bit: they are loaded by
# the runtime (python -m pdb, the bin/ wrappers of gems), never run from
# where they lie, and an executable script naming a ruby or python the
# package does not depend on is an error to lintian.
unexec_library_scripts() {
  local f
  while IFS= read -r -d '' f; do
    [ "$(head -c 2 "$f")" = '#!' ] && [[ $(head -n 1 "$f") =~ ^\#!\ *[^\ ]*(/env\ +|/)(ruby|python)[0-9.]*(\ |$) ]] && chmod a-x "$f"
  done < <(find "$1" -path "$1/bin" -prune -o -type f -perm /111 -print0)
  return 0
}

# unexec_non_programs PREFIX-DIR: files under PREFIX-DIR with an execute bit
# that are neither ELF nor a #! script lose the bit: nothing can run them
# (pip's wheel in CPython 3.13.15 ships pip/_internal/__init__.py as 0755),
# and lintian and rpmlint rightly flag them.
unexec_non_programs() {
  local f first
  while IFS= read -r -d '' f; do
    first=$(head -c 4 "$f" | tr -d '\0')
    [ "${first:0:2}" = '#!' ] || [ "$first" = $'\x7fELF' ] || chmod a-x "$f"
  done < <(find "$1" -type f -perm /111 -print0)
  return 0
}

# copy_debug DEST: the stage's .debug files that hold debug info (a stub
# such as libpython3.so, which has no code, has none to ship).
copy_debug() {
  local f sections
  while IFS= read -r -d '' f; do
    sections=$(readelf -S "$f" 2>/dev/null || true)  # not piped: see split-debug
    grep -q '\.debug_info' <<<"$sections" || continue
    mkdir -p "$1/$(dirname "${f#"$DEBUG_ROOT"/}")"
    cp -a "$f" "$1/${f#"$DEBUG_ROOT"/}"
  done < <(find "$DEBUG_ROOT/usr/lib/debug" -type f -name '*.debug' -print0 | sort -z)
  [ -d "$1/usr/lib/debug" ] || die "$DEBUG_ROOT holds no debug info; rebuild $B_ID"
}

# package_epoch: the build's SOURCE_DATE_EPOCH, which every archive member's
# time is clamped to.
package_epoch() {
  [[ ${B_SOURCE_DATE_EPOCH:-} =~ ^[0-9]+$ ]] || die "$STAGE/.memlean-build has no SOURCE_DATE_EPOCH; rebuild $B_ID"
  echo "$B_SOURCE_DATE_EPOCH"
}

# write_uv_lists DIR BASE: for each CPython variant folder DIR/python/<variant>/,
# the downloads list uv reads (UV_PYTHON_DOWNLOADS_JSON_URL):
# download-metadata.json, one entry per tarball there (from its .info), its
# URL BASE/python/<variant>/<name>; written whole, then renamed.
write_uv_lists() {
  local dir variant
  for dir in "$1"/python/*/; do
    [ -d "$dir" ] || continue
    variant=$(basename "$dir")
    { echo '{'; uv_entries "${dir%/}" "$2/python/$variant"; printf '\n}\n'; } >"$dir/download-metadata.json.tmp"
    mv -f "$dir/download-metadata.json.tmp" "$dir/download-metadata.json"
    info "uv's list of the $variant tarballs: ${dir}download-metadata.json (UV_PYTHON_DOWNLOADS_JSON_URL=$2/python/$variant/download-metadata.json)"
  done
}
uv_entries() { # DIR URL
  local info first=1
  for info in "$1"/*.info; do
    [ -f "$info" ] || continue
    (
      parse_kv "$info" T_
      name=${info##*/}
      name=${name%.info}
      [ "$(sha256sum "$1/$name" | cut -d' ' -f1)" = "$T_SHA256" ] || die "$1/$name does not match its $info; make it again: make tarballs"
      IFS=. read -r major minor patch <<<"$T_VERSION"
      family=${T_PLATFORM%%-*}
      [ "$first" = 1 ] || printf ',\n'
      printf '  "cpython-%s+%s-linux-%s-gnu": {"name": "cpython", "arch": {"family": "%s", "variant": null}, "os": "linux", "libc": "gnu", ' \
        "$T_VERSION" "$T_PACKAGE_REVISION" "$family" "$family"
      printf '"major": %d, "minor": %d, "patch": %d, "prerelease": "", "url": "%s", "sha256": "%s", "variant": null, "build": "%s"}' \
        "$major" "$minor" "$patch" "$2/${name//+/%2B}" "$T_SHA256" "$T_PACKAGE_REVISION"
    )
    first=0
  done
}

# system_sonames TREE: the sonames TREE's ELF files need that TREE does not
# carry (what the system must provide), one per line, sorted.
system_sonames() {
  local lib
  find "$1" -type f \( -name '*.so*' -o -path '*/bin/*' \) -print0 | { xargs -0 -r readelf -dW 2>/dev/null || true; } |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u |
    while read -r lib; do [ -n "$(find "$1" -name "$lib" -print -quit)" ] || echo "$lib"; done
}
