#!/usr/bin/env bash
# What the packages of this machine's distro say and hold: versions with
# the upstream version and a revision, variant, line, distro and source
# checksum in their own fields, dependencies found in the binaries (and
# none on or from the private libraries), files only under the runtime's
# prefix and its entry point, each with its SBOM, debug packages linked by
# build id and never sharing a path, and the same bytes when a stage is
# packaged again; a package is not made again while its stage and the
# packaging code stay the same, and not made from a stage whose ELF files
# fail packaging/elf-policy.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

distro=$(host_distro)
pk=$MEMLEAN_OUT/packages/$distro
load_distro "$distro"
field() { dpkg-deb -f "$1" "$2"; }

for recipe in "$RUBY_RECIPE" "$PYTHON_RECIPE"; do
  load_recipe "$(recipe_path "$recipe")"
  version=$R_VERSION-$R_PACKAGE_REVISION$D_VERSION_SUFFIX
  for v in $MEMLEAN_VARIANTS; do
    for as in "$R_VERSION" "$R_SERIES"; do
      id=$(build_id "$R_NAME" "$as" "$v")
      pkg=memlean-$id deb=$pk/memlean-${id}_${version}_$(build_arch).deb
      [ -f "$deb" ] || { fail "$pkg $version is packaged (make packages)"; continue; }
      expect "$pkg: Version" "$(field "$deb" Version)" "$version"
      expect "$pkg: Memlean-Variant" "$(field "$deb" Memlean-Variant)" "$v"
      expect "$pkg: Memlean-Line" "$(field "$deb" Memlean-Line)" "$([ "$as" = "$R_VERSION" ] && echo tiny || echo minor)"
      expect "$pkg: Memlean-Distro" "$(field "$deb" Memlean-Distro)" "$distro"
      expect "$pkg: Memlean-Source-Sha256 is the built tarball's" "$(field "$deb" Memlean-Source-Sha256)" \
        "$(sed -n 's/^SOURCE_SHA256=//p' "$MEMLEAN_OUT/stage/$id/.memlean-build")"
      expect "$pkg: Memlean-Jemalloc" "$(field "$deb" Memlean-Jemalloc)" "$([ "$v" = jemalloc ] && echo "${R_JEMALLOC#jemalloc/}")"
      depends=$(field "$deb" Depends)
      check "$pkg: Depends found by dpkg-shlibdeps ($depends)" grep -Eq 'libc6 \(>= [0-9.]+\)' <<<"$depends"
      check "$pkg: no dependency on or from its private libraries" \
        bash -c "! grep -Eq 'jemalloc|libruby|libpython' <<<'$depends' && [ -z \"\$(dpkg-deb -f '$deb' Provides)\" ] &&
          ! dpkg-deb --ctrl-tarfile '$deb' | tar -t | grep -Eq 'shlibs|symbols'"
      prefix=$(install_prefix "$R_NAME" "$as" "$v")
      others=$(dpkg-deb -c "$deb" | awk '{ print substr($6, 2) }' | grep -v '/$' |
        grep -Ev "^($prefix/|/usr/bin/memlean-$id\$|/usr/share/doc/$pkg/|/usr/share/lintian/overrides/$pkg\$)" || true)
      expect "$pkg: installs only under $prefix and /usr/bin/memlean-$id" "$others" ""
      check "$pkg: carries its SBOM ($prefix/share/memlean/sbom.cdx.json)" \
        bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO '.$prefix/share/memlean/sbom.cdx.json' | jq -e '.metadata.component.name == \"$pkg\"'"
      dbg=$pk/memlean-$id-dbgsym_${version}_$(build_arch).deb
      lib=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -E "/lib/lib(ruby|python3\.[0-9]+)\.so\.[0-9.]+$" | head -n 1)
      mkdir -p "$T_TMP/x"
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$T_TMP/x" "$lib"
      bid=$(readelf -n "$T_TMP/x/$lib" | sed -n 's/^ *Build ID: *//p')
      rm -rf "$T_TMP/x"
      check "$pkg-dbgsym: holds $(basename "$lib")'s debug info by build id ($bid)" \
        bash -c "dpkg-deb -c '$dbg' | grep -q '/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug\$' &&
          dpkg-deb -f '$dbg' Build-Ids | grep -qw '$bid'"
      expect "$pkg-dbgsym: Depends on exactly its package" "$(field "$dbg" Depends)" "$pkg (= $version)"
    done
  done
done

# Build ids are seeded per build: no two debug packages ship the same file,
# so all of them install side by side.
dups=$(for d in "$pk"/*-dbgsym_*.deb; do dpkg-deb -c "$d" | awk '$6 ~ /\.debug$/ { print $6 }'; done | sort | uniq -d | head -n 3)
expect "no two -dbgsym packages share a .debug file" "$dups" ""

# rpm: dependencies from rpm's generators, none on or from the private
# libraries; memlean's facts as provides.
for id in "$(build_path id "$RUBY_RECIPE" jemalloc)" "$(build_path id "$PYTHON_RECIPE" malloctrim)"; do
  rpm=$(compgen -G "$pk/memlean-$id-[0-9]*.rpm" | head -n 1)
  [ -n "$rpm" ] || { fail "memlean-$id.rpm is packaged (make packages)"; continue; }
  requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
  provides=$(rpm -qp --provides "$rpm" 2>/dev/null)
  check "memlean-$id.rpm: requires libc found in the binaries" grep -q '^libc\.so\.6(GLIBC_' <<<"$requires"
  check "memlean-$id.rpm: no requires or provides of its private libraries" \
    bash -c "! grep -Eq '\\.so' <<<'$provides' && ! grep -Eq '^lib(jemalloc|ruby|python)' <<<'$requires'"
  check "memlean-$id.rpm: provides memlean(variant) and memlean(source-sha256)" \
    bash -c "grep -Eq '^memlean\\(variant\\) = (malloctrim|jemalloc)\$' <<<'$provides' && grep -Eq '^memlean\\(source-sha256\\) = [0-9a-f]{64}\$' <<<'$provides'"
done

# Reproducible: the same stage packaged again gives the same bytes.
for id in "$(build_path id "$RUBY_RECIPE" jemalloc)" "$(build_path id "$PYTHON_RECIPE" normal)"; do
  for format in deb rpm; do
    again=$T_TMP/again
    rm -rf "$again"
    if ! MEMLEAN_PACKAGES=$again "$ROOT/scripts/package/package-$format" "$id" >"$T_TMP/again.log" 2>&1; then
      fail "$id: packaged again as $format" "$(tail -n 3 "$T_TMP/again.log")"
      continue
    fi
    for f in "$again/$distro"/*; do
      check "$id: $(basename "$f") is byte-identical when packaged again" cmp "$f" "$pk/$(basename "$f")"
    done
  done
done

# make packages again: a package made from the same stage by the same code
# is left alone; one whose file changed since is made again, the same bytes.
id=$(build_path id "$RUBY_RECIPE" normal)
stamp=$MEMLEAN_OUT/package-stamps/$distro/$id.deb
deb=$(compgen -G "$pk/memlean-${id}_*.deb" | head -n 1 || true)
if [ -z "$deb" ] || [ ! -f "$stamp" ]; then
  fail "memlean-$id.deb and its stamp are there (make packages)"
else
  cp "$deb" "$T_TMP/before.deb"
  before=$(stat -c '%i %Y' "$deb")
  out=$(MEMLEAN_FORMATS=deb "$ROOT/scripts/package/package-one" "$RUBY_RECIPE" normal tiny 2>&1) || true
  check "package-one leaves memlean-$id.deb alone, made from the same stage" grep -q "memlean-$id (deb) is up to date" <<<"$out"
  expect "memlean-$id.deb is the same file as before" "$(stat -c '%i %Y' "$deb")" "$before"
  sed -i '2s/^[0-9a-f]/x/' "$stamp"
  MEMLEAN_FORMATS=deb "$ROOT/scripts/package/package-one" "$RUBY_RECIPE" normal tiny >"$T_TMP/again.out" 2>&1 || true
  check "a package whose file no longer matches is made again" grep -q "memlean-ruby-.*: dpkg-deb done" "$T_TMP/again.out"
  check "it is a new file" test "$(stat -c '%i %Y' "$deb")" != "$before"
  check "the package made again is byte-identical" cmp "$deb" "$T_TMP/before.deb"
fi

# A stage with an ELF file that fails packaging/elf-policy is not packaged:
# here a copy of the stage (hard links) in a scratch out/, with a library
# that asks for an executable stack.
scratch=$T_TMP/elf-out
mkdir -p "$scratch/stage"
cp -al "$MEMLEAN_OUT/stage/$id" "$scratch/stage/"
ln -s "$MEMLEAN_OUT/build" "$MEMLEAN_OUT/debug" "$scratch/"
bad=$scratch/stage/$id$(build_path prefix "$RUBY_RECIPE" normal)/lib/bad-stack.so
printf 'int f(void) { return 1; }\n' >"$T_TMP/bad.c"
gcc -shared -fPIC -Wl,-z,relro,-z,now,-z,execstack -o "$bad" "$T_TMP/bad.c"
rc=0
MEMLEAN_OUT=$scratch MEMLEAN_FORMATS=deb "$ROOT/scripts/package/package-one" "$RUBY_RECIPE" normal tiny >"$T_TMP/bad.out" 2>&1 || rc=$?
check "package-one refuses a stage with a file that fails the ELF policy" test "$rc" -ne 0
check "naming the file and what it breaks" grep -q "^check-elf: .*/lib/bad-stack.so: asks for an executable stack" "$T_TMP/bad.out"
check "and no package is written" test -z "$(find "$scratch" -name '*.deb' -print -quit 2>/dev/null)"

finish
