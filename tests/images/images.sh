#!/usr/bin/env bash
# Images built here as on CI, from Dockerfiles the generator writes: the
# matrix of what this machine builds (tests/fixtures/matrix-local) pins the
# packages make test made; podman builds (--isolation=chroot) from a base
# made by mmdebstrap, installing from the test repository over HTTP; each
# image's runtime tree is checked by scripts/package/check-elf, its SBOM
# (its package's) copied out and checked, and the image is smoke-tested in
# a chroot of its mounted file system
# (tests/probes/smoke-image), tagged with its generated tags, labelled, and
# saved as an OCI archive whose size is reported. Three images, one per
# variant: a slim and a full bookworm one and a slim trixie one (make test
# packages Ruby's jemalloc variant for Debian 13; every image takes ~1 min).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

repo=$(tests/probes/test-repo) || { fail "the test repository is published (make packages first)"; finish; }
gen=$T_TMP/gen
MEMLEAN_MATRIX=tests/fixtures/matrix-local scripts/ci/generate "$gen" 2>/dev/null
sboms=()
for dir in ruby/3.3/normal/slim-bookworm python/3.13/malloctrim/bookworm ruby/3.3/jemalloc/slim-trixie; do
  name=$(tr / - <<<"$dir")
  if ! scripts/ci/image --repo "$repo/repo" "$gen/ci/images/$dir" >"$T_TMP/$name.out" 2>&1; then
    fail "$dir: the image builds and its smoke test passes" "$(tail -n 15 "$T_TMP/$name.out")"
    continue
  fi
  report "$dir" "$T_TMP/$name.out"
  check "$dir: its runtime's ELF files pass packaging/elf-policy, the image's glibc the floor" \
    grep -Eq '^check-elf: [0-9]+ ELF files under .*/usr/lib/memlean/.* pass' "out/logs/images/$name-check-elf.log"
  expect "$dir: its SBOM (out/images/$name.cdx.json) is its package's" \
    "$(jq -r .metadata.component.name "out/images/$name.cdx.json" 2>&1)" "$(awk -F'"' '/org.memlean.package=/ { split($2, p, "="); print p[1] }' "$gen/ci/images/$dir/Dockerfile")"
  sboms+=("out/images/$name.cdx.json")
  read -r -a tags <<<"$(awk -v d="ci/images/$dir" '$1 == d {$1 = ""; print}' "$gen/ci/images/tags")"
  missing=$(for t in "${tags[@]}"; do podman image exists "$t" || echo "$t"; done)
  expect "$dir: tagged ${tags[*]}" "$missing" ""
  IFS=/ read -r runtime _ variant _ <<<"$dir"
  labels=$(podman image inspect --format '{{index .Labels "org.opencontainers.image.version"}} {{index .Labels "org.memlean.variant"}} {{index .Labels "org.opencontainers.image.revision"}} {{index .Labels "org.memlean.jemalloc.version"}}' "${tags[0]}")
  version=$(. scripts/lib.sh && load_recipe "recipes/$(default_recipe "$runtime")" && echo "$R_VERSION")
  expect "$dir: labels version, variant, revision" "$(cut -d' ' -f1-3 <<<"$labels")" "$version $variant $(git rev-parse HEAD)"
  archive=out/images/$name.oci.tar
  check "$dir: saved as an OCI archive ($archive)" bash -c "tar -tf '$archive' | grep -qx index.json"
  size=$(cat "out/images/$name.size" 2>/dev/null || true)
  check "$dir: its size is reported ($(cut -f2 <<<"$size"))" test -n "$size"
  echo "  # $size"
done
check "the images' SBOMs are valid CycloneDX 1.5" tests/probes/check-sbom "${sboms[@]}"
# The slim checks can fail: on this machine, which has a compiler, they do.
out=$(tests/probes/smoke-image memlean-ruby-3.3 normal slim /nonexistent 2>&1 || true)
check "smoke-image's slim check fails where a compiler is present" grep -q '^FAIL: slim: no compiler or make (found: .*gcc' <<<"$out"
finish
