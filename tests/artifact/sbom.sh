#!/usr/bin/env bash
# scripts/package/sbom on every built variant of both recipes: the SBOM is
# valid CycloneDX 1.5 (CycloneDX's own library checks it against the
# schema), and says what the build is: the upstream source and its sha256,
# the patches the recipe gives the variant, jemalloc in the jemalloc
# variant only, every system library its ELF files need as the Debian
# package that holds it (at its installed version), and what the runtime
# bundles; the same stage gives the same bytes.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

files=()
for recipe in "$RUBY_RECIPE" "$PYTHON_RECIPE"; do
  load_recipe "$(recipe_path "$recipe")"
  for v in $MEMLEAN_VARIANTS; do
    id=$(build_path id "$recipe" "$v") stage=$(build_path stage "$recipe" "$v") root=$(build_path root "$recipe" "$v")
    [ -f "$stage/.memlean-build" ] || { fail "$id is built (make build RECIPE=$recipe VARIANT=$v)"; continue; }
    sbom=$T_TMP/$id.cdx.json
    if ! scripts/package/sbom "$id" >"$sbom" 2>"$T_TMP/$id.err"; then
      fail "$id: scripts/package/sbom writes its SBOM" "$(cat "$T_TMP/$id.err")"
      continue
    fi
    files+=("$sbom")
    q() { jq -r "$1" "$sbom"; }
    expect "$id: names the package and its variant" "$(q '.metadata.component.name + " " + (.metadata.component.properties[] | select(.name == "memlean:variant") | .value)')" "memlean-$id $v"
    expect "$id: the upstream source's sha256 is the built one's" \
      "$(q ".components[] | select(.name == \"$R_NAME\") | .hashes[0].content")" "$(sed -n 's/^SOURCE_SHA256=//p' "$stage/.memlean-build")"
    read -r -a patches <<<"$(recipe_patches "$v")"
    expect "$id: its pedigree lists the ${#patches[@]} patches the recipe gives $v" \
      "$(q ".components[] | select(.name == \"$R_NAME\") | .pedigree.patches | length")" "${#patches[@]}"
    expect "$id: jemalloc is a component in the jemalloc variant only" \
      "$(q '[.components[] | select(.name == "jemalloc") | .version] | join(" ")')" "$(sed -n 's/^JEMALLOC_VERSION=//p' "$stage/.memlean-build")"
    needed=$(find "$root" -type f \( -name '*.so*' -o -path '*/bin/*' \) -print0 | { xargs -0 readelf -dW 2>/dev/null || true; } |
      sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | while read -r l; do [ -n "$(find "$root" -name "$l" -print -quit)" ] || echo "$l"; done | tr '\n' ' ')
    expect "$id: every system library its ELF files need is there, by soname" \
      "$(q '[.components[] | select(."bom-ref" | startswith("system:")) | .properties[] | select(.name == "memlean:soname") | .value] | sort | join(" ")') " "$needed"
    pkg=$(q '.components[] | select(.properties[]?.value == "libc.so.6") | .name + " " + .version + " " + .purl')
    read -r name version purl <<<"$pkg"
    expect "$id: libc.so.6 is the Debian package that holds it, at its installed version" \
      "$name $version $purl" "$name $(dpkg-query -W -f '${Version}' "$name" 2>/dev/null) pkg:deb/debian/$name@$version?arch=$(dpkg-query -W -f '${Architecture}' "$name" 2>/dev/null)"
    case $R_NAME in
      ruby) check "$id: the bundled gems are there (bundler, rake)" bash -c "jq -e '[.components[].purl] | (any(startswith(\"pkg:gem/bundler@\")) and any(startswith(\"pkg:gem/rake@\")))' '$sbom'" ;;
      python) check "$id: the bundled pip is there" bash -c "jq -e '[.components[].purl] | any(startswith(\"pkg:pypi/pip@\"))' '$sbom'" ;;
    esac
  done
done
id=$(build_path id "$RUBY_RECIPE" jemalloc)
if [ -f "$T_TMP/$id.cdx.json" ]; then
  check "$id: the same stage gives the same SBOM" cmp "$T_TMP/$id.cdx.json" <(scripts/package/sbom "$id")
fi
if [ ${#files[@]} -gt 0 ]; then
  out=$(tests/probes/check-sbom "${files[@]}" 2>&1) && rc=0 || rc=$?
  expect "the ${#files[@]} SBOMs are valid CycloneDX 1.5 (CycloneDX's library, against the schema)" "$rc" 0
  [ "$rc" -eq 0 ] || grep -v '^valid:' <<<"$out" | head -n 5 | sed 's/^/  # /'
  jq '.components[0].hashes[0].alg = "SHA256"' "${files[0]}" >"$T_TMP/broken.cdx.json"
  check "the schema check rejects a hash named outside the schema's list" \
    bash -c "! tests/probes/check-sbom '$T_TMP/broken.cdx.json' >/dev/null 2>&1"
fi
check_error "sbom: a stage that is not built is one error line" 'no built stage' scripts/package/sbom ruby-0.0.1
finish
