# shellcheck shell=bash
# Upstream release data, read by scripts/update/new-recipe and scripts/update/check-updates.
# Sourced after lib.sh; loading it does nothing but define functions.
#
# Each runtime's upstream publishes its releases in one file:
#   ruby      ruby-lang.org's release list (_data/releases.yml of the site)
#   python    python.org's release files (api/v2/downloads/release_file/)
#   jemalloc  GitHub's release list of jemalloc/jemalloc (assets with digests)
# MEMLEAN_UPSTREAM_DIR names a directory holding stored copies of them
# (ruby-releases.yml, python-release-files.json, jemalloc-releases.json);
# without it they are downloaded into out/upstream/.

upstream_url() {
  case $1 in
    ruby) echo https://raw.githubusercontent.com/ruby/www.ruby-lang.org/master/_data/releases.yml ;;
    python) echo https://www.python.org/api/v2/downloads/release_file/ ;;
    jemalloc) echo 'https://api.github.com/repos/jemalloc/jemalloc/releases?per_page=100' ;;
  esac
}

upstream_file_name() {
  case $1 in
    ruby) echo ruby-releases.yml ;;
    python) echo python-release-files.json ;;
    jemalloc) echo jemalloc-releases.json ;;
  esac
}

check_runtime_name() {
  case $1 in
    ruby|python|jemalloc) ;;
    *) die "unknown runtime '$1' (expected ruby, python or jemalloc); e.g. make new-recipe RUNTIME=ruby VERSION=3.4.12" ;;
  esac
}

# upstream_data RUNTIME: the path of RUNTIME's release data, checked for its
# shape; one error line when it cannot be had or is not what upstream serves.
upstream_data() {
  local runtime=$1 file url
  if [ -n "${MEMLEAN_UPSTREAM_DIR:-}" ]; then
    file=$MEMLEAN_UPSTREAM_DIR/$(upstream_file_name "$runtime")
    [ -f "$file" ] || die "no stored $runtime release data: $file does not exist (expected a copy of $(upstream_url "$runtime")); fix MEMLEAN_UPSTREAM_DIR"
  else
    url=$(upstream_url "$runtime")
    file=$MEMLEAN_OUT/upstream/$(upstream_file_name "$runtime")
    mkdir -p "$(dirname "$file")"
    # A partial download is never read: it lands under another name first.
    if ! curl -fsSL --retry 2 -m 60 -o "$file.part.$$" "$url" 2>/dev/null; then
      rm -f "$file.part.$$"
      die "cannot reach $runtime's release data at $url; run where it is reachable, or point MEMLEAN_UPSTREAM_DIR at a stored copy"
    fi
    mv -f "$file.part.$$" "$file"
  fi
  case $runtime in
    ruby) grep -q '^- version: ' "$file" ;;
    *) jq -e 'if type == "object" then .objects else . end | type == "array"' "$file" >/dev/null 2>&1 ;;
  esac || die "$runtime release data $file is malformed (expected $(upstream_shape "$runtime")); fetch it again or fix the stored copy"
  printf '%s\n' "$file"
}

upstream_shape() {
  case $1 in
    ruby) echo "ruby-lang.org's releases.yml: '- version: X.Y.Z' entries" ;;
    python) echo "python.org's release_file JSON: a list of files with url and sha256_sum" ;;
    jemalloc) echo "GitHub's release JSON: a list of releases with tag_name and assets" ;;
  esac
}

# upstream_versions RUNTIME FILE: every final release (X.Y.Z, no preview or
# release candidate) the data lists, one a line.
upstream_versions() {
  case $1 in
    ruby) sed -n 's/^- version: *\([0-9]*\.[0-9]*\.[0-9]*\) *$/\1/p' "$2" ;;
    python) jq -r 'if type == "object" then .objects else . end | .[] | .url // empty' "$2" |
      sed -n 's|.*/Python-\([0-9]*\.[0-9]*\.[0-9]*\)\.tar\.xz$|\1|p' ;;
    jemalloc) jq -r '.[] | select((.prerelease // false) == false and (.draft // false) == false) | .tag_name // empty' "$2" |
      sed -n 's/^\([0-9]*\.[0-9]*\.[0-9]*\)$/\1/p' ;;
  esac | sort -u -V
}

# upstream_release RUNTIME FILE VERSION: "DATE URL SHA256 SIZE SIGNATURE" of
# the release's source tarball; "-" for what the data does not give.
upstream_release() {
  local runtime=$1 file=$2 version=$3
  case $runtime in
    ruby) awk -v want="$version" '
      /^- version:/ { entry = ($3 == want); section = ""; next }
      !entry { next }
      /^  [a-z0-9_]+:/ {
        section = $1; sub(/:$/, "", section)
        if (section == "date") { date = $2; gsub(/["\047]/, "", date) }
        next
      }
      /^    xz:/ { value[section] = $2 }
      END {
        printf "%s %s %s %s -\n", (date == "" ? "-" : date), (value["url"] == "" ? "-" : value["url"]),
          (value["sha256"] == "" ? "-" : value["sha256"]), (value["size"] == "" ? "-" : value["size"])
      }' "$file" ;;
    python) jq -r --arg name "Python-$version.tar.xz" '
      [if type == "object" then .objects else . end | .[] | select((.url // "") | endswith("/" + $name))] | first // {} |
      [(.release_date // "-" | .[0:10]), .url // "-", .sha256_sum // "-", (.filesize // "-" | tostring),
       # GPG where python.org has it (up to 3.13), else Sigstore.
       (if (.gpg_signature_file // "") != "" then .gpg_signature_file else (.sigstore_bundle_file // "-") end)] | map(if . == "" then "-" else . end) | join(" ")' "$file" ;;
    jemalloc) jq -r --arg v "$version" --arg name "jemalloc-$version.tar.bz2" '
      [.[] | select(.tag_name == $v)] | first // {} |
      (.published_at // "-" | .[0:10]) as $date |
      ([.assets // [] | .[] | select(.name == $name)] | first // {}) |
      [$date, .browser_download_url // "-", ((.digest // "-") | sub("^sha256:"; "")), (.size // "-" | tostring), "-"] | join(" ")' "$file" ;;
  esac
}

# newest_recipe DIR RUNTIME SERIES: the newest recipe file of SERIES under
# the recipes folder DIR ("" if none).
newest_recipe() {
  local r
  for r in "$1/$2/$3".*; do
    [ ! -f "$r" ] || printf '%s\n' "$r"
  done | sort -V | tail -n1
}
