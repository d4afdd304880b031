# shellcheck shell=bash
# Recipes, variants and distros: reading and checking the data files
# (recipes/, recipes/variants, recipes/defaults, ci/distros/), and the
# names and prefixes a build of them gets. Sourced through scripts/lib.sh.
# A recipe is KEY=value lines; values are bare words or "double quoted"
# without $, ` or \. It is parsed, never sourced, so a recipe cannot run code.

# The variants' list is the project's own, whatever MEMLEAN_ROOT a test points
# at.
MEMLEAN_VARIANTS_FILE=${MEMLEAN_VARIANTS_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/recipes/variants}
MEMLEAN_VARIANTS=$(awk -F'|' '!/^#/ && NF { printf "%s%s", sep, $1; sep = " " }' "$MEMLEAN_VARIANTS_FILE")

# recipe_path NAME: recipes/<NAME>, or NAME itself when it is a file path.
recipe_path() {
  case $1 in
    */*/*|/*|./*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$MEMLEAN_ROOT/recipes/$1" ;;
  esac
}

# default_recipe RUNTIME: the recipe make builds, tests and benchmarks for
# RUNTIME (ruby or python), as recipes/defaults names it.
default_recipe() {
  local file=$MEMLEAN_ROOT/recipes/defaults key
  key=$(tr '[:lower:]' '[:upper:]' <<<"$1")
  parse_kv "$file" DEFAULT_
  local var=DEFAULT_$key
  [ -n "${!var:-}" ] || die "$file names no default recipe for '$1' (expected a line $key=$1/<version>); fix $file"
  [ -f "$MEMLEAN_ROOT/recipes/${!var}" ] || die "$file: $key=${!var} names no file under recipes/; fix $file"
  printf '%s\n' "${!var}"
}

# load_recipe FILE: sets R_<KEY> for every key; checks syntax and required keys.
load_recipe() {
  local file=$1 var
  [ -f "$file" ] || die "recipe $file does not exist; list them with: ls $MEMLEAN_ROOT/recipes/*/"
  parse_kv "$file" R_
  R_FILE=$file
  recipe_require NAME '^[a-z][a-z0-9-]*$' 'a lower-case name such as ruby'
  if [ -n "${R_KIND+x}" ]; then
    # Third-party software the benchmarks and tests run (recipes/third-party):
    # a Debian package or source tarball, pinned like a runtime's source.
    recipe_require KIND '^third-party$' 'third-party, or no KIND line for a runtime'
    recipe_require VERSION '^[0-9][A-Za-z0-9.+~-]*$' "the package's version, such as 6.6.0 or 3.1.20-0+deb13u2"
    [ -z "${R_DEBIAN_ARCH+x}" ] || recipe_require DEBIAN_ARCH '^(amd64|arm64)$' 'the Debian architecture of a binary package: amd64 or arm64'
  else
    recipe_require VERSION '^[0-9]+\.[0-9]+\.[0-9]+$' 'a release number such as 3.3.8'
    recipe_require SERIES '^[0-9]+\.[0-9]+$' 'the minor series such as 3.3'
    case $R_VERSION in "$R_SERIES".*) ;; *) die "$file: SERIES=$R_SERIES does not match VERSION=$R_VERSION; fix the recipe" ;; esac
  fi
  [ -n "${R_PACKAGE_REVISION+x}" ] || R_PACKAGE_REVISION=1
  recipe_require PACKAGE_REVISION '^[1-9][0-9]*$' 'the package revision, a number from 1 (1 when absent)'
  recipe_require_source SOURCE
  local i=1
  while var=R_MIRROR_${i}_URL && [ -n "${!var+x}" ]; do
    recipe_require_source "MIRROR_$i"
    i=$((i + 1))
  done
  export R_MIRROR_COUNT=$((i - 1))
}

recipe_require() {
  local key=$1 pattern=$2 what=$3 var=R_$1
  [ -n "${!var+x}" ] || die "$R_FILE: $key is missing (expected $what); add it to the recipe"
  [[ ${!var} =~ $pattern ]] || die "$R_FILE: $key=${!var} is malformed (expected $what); fix the recipe"
}

recipe_require_source() {
  recipe_require "$1_URL" '^(https?|file)://[^[:space:]]+/[^/[:space:]]+$' 'an http(s):// or file:// URL of a file'
  recipe_require "$1_SHA256" '^[0-9a-f]{64}$' '64 lower-case hex digits of sha256'
  # The size is optional: the sha256 pins the file; a recorded size only
  # makes a wrong download fail before it is hashed. Unrecorded reads "-".
  local size=R_$1_SIZE
  if [ -n "${!size+x}" ]; then
    recipe_require "$1_SIZE" '^[1-9][0-9]*$' 'the size in bytes'
  else
    printf -v "$size" '%s' -
  fi
}

# recipe_patches VARIANT: the patch list of VARIANT (empty for none).
recipe_patches() {
  local var=R_PATCHES_$1
  [ -n "${!var+x}" ] || die "$R_FILE: PATCHES_$1 is missing (expected the patch list of variant $1, may be empty: PATCHES_$1=\"\"); add it"
  printf '%s\n' "${!var}"
}

check_variant() {
  case " $MEMLEAN_VARIANTS " in
    *" $1 "*) ;;
    *) die "unknown variant '$1' (expected one of: $MEMLEAN_VARIANTS); e.g. make build RECIPE=ruby/3.3.8 VARIANT=jemalloc" ;;
  esac
}

# variant_summary VARIANT, variant_description VARIANT [JEMALLOC_VERSION]:
# what recipes/variants says of VARIANT.
variant_summary() { variant_field "$1" 2; }

variant_description() {
  local text
  text=$(variant_field "$1" 3) || exit 1
  printf '%s\n' "${text//\{jemalloc\}/${2:-}}"
}

variant_field() { # VARIANT FIELD
  local value
  value=$(awk -F'|' -v v="$1" -v f="$2" '!/^#/ && $1 == v { print $f; exit }' "$MEMLEAN_VARIANTS_FILE")
  [ -n "$value" ] || die "$MEMLEAN_VARIANTS_FILE has no variant '$1' with $2 fields (expected NAME|SUMMARY|DESCRIPTION); fix it"
  printf '%s\n' "$value"
}

# build_id RUNTIME VERSION VARIANT: ruby-3.3.8-jemalloc; normal has no suffix.
build_id() {
  if [ "$3" = normal ]; then printf '%s-%s\n' "$1" "$2"; else printf '%s-%s-%s\n' "$1" "$2" "$3"; fi
}

# install_prefix RUNTIME VERSION VARIANT
install_prefix() {
  if [ "$3" = normal ]; then printf '/usr/lib/memlean/%s/%s\n' "$1" "$2"; else printf '/usr/lib/memlean/%s/%s-%s\n' "$1" "$2" "$3"; fi
}

# ci/distros/<name>/distro describes one target distro (KEY=value, like recipes);
# the folder also holds its build environment (Dockerfile).

# load_distro NAME: sets D_<KEY> from ci/distros/NAME/distro and checks them.
load_distro() {
  local file=$MEMLEAN_ROOT/ci/distros/$1/distro
  [ -f "$file" ] || die "unknown distro '$1' (expected one of: $(cd "$MEMLEAN_ROOT/ci/distros" && echo *)); add ci/distros/$1/distro or pick another"
  parse_kv "$file" D_
  local key
  for key in NAME FORMAT VERSION_SUFFIX GLIBC; do
    local var=D_$key
    [ -n "${!var:-}" ] || die "$file: $key is missing; add it"
  done
  [ "$D_NAME" = "$1" ] || die "$file: NAME=$D_NAME does not match the file name; fix it"
  case $D_FORMAT in deb|rpm) ;; *) die "$file: FORMAT=$D_FORMAT (expected deb or rpm); fix it" ;; esac
  [[ $D_GLIBC =~ ^[0-9]+\.[0-9]+$ ]] || die "$file: GLIBC=$D_GLIBC (expected the glibc version the distro ships, like 2.36); fix it"
}
