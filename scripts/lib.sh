# shellcheck shell=bash
# Helpers sourced by every memlean script. Loading this file does nothing
# but define variables and functions.

MEMLEAN_ROOT=${MEMLEAN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MEMLEAN_OUT=${MEMLEAN_OUT:-$MEMLEAN_ROOT/out}
MEMLEAN_CACHE=${MEMLEAN_CACHE:-$MEMLEAN_OUT/cache}
# The variants' list is the project's own, whatever MEMLEAN_ROOT a test points
# at.
MEMLEAN_VARIANTS_FILE=${MEMLEAN_VARIANTS_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/recipes/variants}
MEMLEAN_VARIANTS=$(awk -F'|' '!/^#/ && NF { printf "%s%s", sep, $1; sep = " " }' "$MEMLEAN_VARIANTS_FILE")
MEMLEAN_PROG=$(basename "$0")

die() {
  printf '%s: error: %s\n' "$MEMLEAN_PROG" "$*" >&2
  exit 1
}

info() {
  printf '%s: %s\n' "$MEMLEAN_PROG" "$*" >&2
}

# run_step LOG NAME CMD...: runs CMD with its output in LOG, prints the step
# name and its elapsed time; on failure prints the log's tail and its path.
run_step() {
  local log=$1 name=$2 start rc=0
  shift 2
  mkdir -p "$(dirname "$log")"
  start=$(date +%s)
  printf '==> %s (log: %s)\n' "$name" "${log#"$MEMLEAN_ROOT"/}" >&2
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '    %s failed after %ss; last lines of %s:\n' "$name" "$(($(date +%s) - start))" "$log" >&2
    tail -n 25 "$log" | sed 's/^/    | /' >&2
    die "$name failed (exit $rc); full log: $log"
  fi
  printf '    %s done in %ss\n' "$name" "$(($(date +%s) - start))" >&2
}

# fill_template FILE: FILE with every @KEY@ replaced by the value of T_KEY.
# A line that is only @KEY@ becomes the value's lines, none when it is empty.
fill_template() {
  local line key var
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^@([A-Z][A-Z0-9_]*)@$ ]]; then
      var=T_${BASH_REMATCH[1]}
      [ -n "${!var+x}" ] || die "$1: @${BASH_REMATCH[1]}@ has no value (T_${BASH_REMATCH[1]} is not set); fix the template or scripts/$MEMLEAN_PROG"
      [ -z "${!var}" ] || printf '%s\n' "${!var}"
      continue
    fi
    while [[ $line =~ @([A-Z][A-Z0-9_]*)@ ]]; do
      key=${BASH_REMATCH[1]} var=T_${BASH_REMATCH[1]}
      [ -n "${!var+x}" ] || die "$1: @$key@ has no value (T_$key is not set); fix the template or scripts/$MEMLEAN_PROG"
      line=${line//@"$key"@/"${!var}"}  # quoted: bash 5.2 would read & in a value
    done
    printf '%s\n' "$line"
  done <"$1"
}

# side_by_side JOBS FUNC ARG...: runs FUNC ARG for every ARG, JOBS of them at
# a time, each to its end, and sets SIDE_BY_SIDE_FAILED to the ARGs whose
# FUNC failed (empty when none did). Stopped on INT or TERM, it stops them.
# (Its locals are prefixed: FUNC sees them through bash's dynamic scope and
# must not find its own globals, such as a "jobs" array, shadowed.)
side_by_side() {
  local _sbs_max=$1 _sbs_func=$2 _sbs_arg _sbs_i _sbs_pids=() _sbs_args=()
  shift 2
  [[ $_sbs_max =~ ^[1-9][0-9]*$ ]] || die "$_sbs_max is not a number of jobs at a time (expected 1 or more; MEMLEAN_BUILD_JOBS)"
  SIDE_BY_SIDE_FAILED=()
  trap 'kill "${_sbs_pids[@]}" 2>/dev/null || true; exit 130' INT TERM
  for _sbs_arg in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$_sbs_max" ]; do wait -n || true; done
    "$_sbs_func" "$_sbs_arg" &
    _sbs_pids+=($!) _sbs_args+=("$_sbs_arg")
  done
  for _sbs_i in "${!_sbs_pids[@]}"; do
    wait "${_sbs_pids[$_sbs_i]}" || SIDE_BY_SIDE_FAILED+=("${_sbs_args[$_sbs_i]}")
  done
  trap - INT TERM
}

# --- recipes -------------------------------------------------------------
# A recipe is KEY=value lines; values are bare words or "double quoted"
# without $, ` or \. It is parsed, never sourced, so a recipe cannot run code.

# recipe_path NAME: recipes/<NAME>, or NAME itself when it is a file path.
recipe_path() {
  case $1 in
    */*/*|/*|./*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$MEMLEAN_ROOT/recipes/$1" ;;
  esac
}

# parse_kv FILE PREFIX: sets PREFIX<KEY> for every KEY=value line of FILE
# (after unsetting every PREFIX* variable); blank and # lines are skipped.
parse_kv() {
  local file=$1 prefix=$2 line key value n=0 var
  local quoted='^([A-Z][A-Za-z0-9_]*)="([^"$`\\]*)"$' bare='^([A-Z][A-Za-z0-9_]*)=([^"'"'"'$`\\[:space:]]*)$'
  for var in $(compgen -v "$prefix" || true); do unset "$var"; done
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case $line in ''|'#'*) continue ;; esac
    if [[ $line =~ $quoted ]] || [[ $line =~ $bare ]]; then
      key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    elif [[ $line =~ ^([A-Za-z0-9_]+)= ]]; then
      die "$file:$n: malformed value for ${BASH_REMATCH[1]} (expected KEY=word or KEY=\"words\" without \$, \` or \\); fix $file"
    else
      die "$file:$n: malformed line '$line' (expected KEY=value, KEY starting with an upper-case letter); fix $file"
    fi
    var=$prefix$key
    [ -z "${!var+x}" ] || die "$file:$n: $key is set twice; keep one"
    printf -v "$var" '%s' "$value"
  done <"$file"
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

# staged_runtime RECIPE VARIANT: the executable (ruby, python3) of the
# recipe's staged build of VARIANT (out/stage), or an error naming the build.
staged_runtime() {
  load_recipe "$(recipe_path "$1")"
  local name exe
  case $R_NAME in ruby) name=ruby ;; python) name=python3 ;; *) die "$1 is not a runtime recipe (expected ruby/... or python/...)" ;; esac
  exe=$MEMLEAN_OUT/stage/$(build_id "$R_NAME" "$R_VERSION" "$2")$(install_prefix "$R_NAME" "$R_VERSION" "$2")/bin/$name
  [ -x "$exe" ] || die "$exe is missing; build it first: make build RECIPE=$1 VARIANT=$2"
  printf '%s\n' "$exe"
}

# runtime_copy RECIPE VARIANT DIR: the staged runtime's executable, in a
# hard-linked copy of its prefix at DIR (for the benchmarks). Ruby finds its
# libraries relative to its executable, the length of those path strings
# moves objects between its heap's slot sizes, and that alone changes the
# GC's heap growth: the same build ended Ruby's control workload with 975 or
# 1254 heap pages depending on where it was copied (BENCHMARKS.md). So
# within a repeat every variant runs from a path of the same length, and
# each repeat uses another length.
runtime_copy() {
  local exe staged copy=$3
  exe=$(staged_runtime "$1" "$2") || exit 1
  staged=${exe%/bin/*}
  mkdir -p "$(dirname "$copy")"
  cp -al "$staged" "$copy" 2>/dev/null || { rm -rf "$copy"; cp -a "$staged" "$copy"; }
  printf '%s\n' "$copy/bin/${exe##*/}"
}

# --- distros -------------------------------------------------------------
# ci/distros/<name>/distro describes one target distro (KEY=value, like recipes);
# the folder also holds its build environment (Dockerfile).

# load_distro NAME: sets D_<KEY> from ci/distros/NAME/distro and checks them.
load_distro() {
  local file=$MEMLEAN_ROOT/ci/distros/$1/distro
  [ -f "$file" ] || die "unknown distro '$1' (expected one of: $(cd "$MEMLEAN_ROOT/ci/distros" && echo *)); add ci/distros/$1/distro or pick another"
  parse_kv "$file" D_
  local key
  for key in NAME FORMAT VERSION_SUFFIX; do
    local var=D_$key
    [ -n "${!var:-}" ] || die "$file: $key is missing; add it"
  done
  [ "$D_NAME" = "$1" ] || die "$file: NAME=$D_NAME does not match the file name; fix it"
  case $D_FORMAT in deb|rpm) ;; *) die "$file: FORMAT=$D_FORMAT (expected deb or rpm); fix it" ;; esac
}

# host_distro: the distro this process runs on, by ci/distros' names
# (debian-12, ubuntu-24.04, el-9, amazonlinux-2023), from os-release;
# MEMLEAN_DISTRO (set by the CI build environments) wins.
host_distro() {
  [ -z "${MEMLEAN_DISTRO:-}" ] || { printf '%s\n' "$MEMLEAN_DISTRO"; return; }
  local id version like
  id=$(. /etc/os-release && echo "${ID:-}")
  version=$(. /etc/os-release && echo "${VERSION_ID:-}")
  like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  { [ -n "$id" ] && [ -n "$version" ]; } || die "/etc/os-release names no ID and VERSION_ID; cannot tell which distro this builds for (set MEMLEAN_DISTRO)"
  case " $id $like " in
    *" rhel "*) printf 'el-%s\n' "${version%%.*}" ;;
    *" amzn "*) printf 'amazonlinux-%s\n' "$version" ;;
    *) printf '%s-%s\n' "$id" "$version" ;;
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

# machine_record FILE [KEY=VALUE...]: the machine a benchmark ran on
# (cores, CPU, memory, kernel, distro, the recipes measured), then the run's
# own KEY=VALUE lines, into FILE, which the reports print beside their
# tables (they read it by key).
machine_record() {
  local file=$1
  shift
  {
    echo "cores=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "memory_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "distro=$(host_distro)"
    echo "ruby=$RUBY_RECIPE"
    echo "python=$PYTHON_RECIPE"
    printf '%s\n' "$@"
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

# build_arch: the Debian name of this machine's architecture (amd64, arm64).
build_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) die "unsupported architecture $(uname -m) (expected x86_64 or aarch64)" ;;
  esac
}

# build_id RUNTIME VERSION VARIANT: ruby-3.3.8-jemalloc; normal has no suffix.
build_id() {
  if [ "$3" = normal ]; then printf '%s-%s\n' "$1" "$2"; else printf '%s-%s-%s\n' "$1" "$2" "$3"; fi
}

# install_prefix RUNTIME VERSION VARIANT
install_prefix() {
  if [ "$3" = normal ]; then printf '/usr/lib/memlean/%s/%s\n' "$1" "$2"; else printf '/usr/lib/memlean/%s/%s-%s\n' "$1" "$2" "$3"; fi
}

# elf_files DIR: the ELF files under DIR, NUL-separated, sorted. One grep
# finds the candidates (files with a NUL-separated record starting with
# \x7fELF), so that only those are opened one by one.
elf_files() {
  local f
  while IFS= read -r -d '' f; do
    [ -f "$f" ] || continue
    [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && printf '%s\0' "$f"
  done < <(LC_ALL=C grep -rlZz $'^\x7fELF' "$1" | sort -z)
  return 0
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

size_of() {
  stat -c %s "$1"
}

# inputs_digest FILE...: one sha256 over the contents of FILEs (not their
# paths), so that a build can tell whether what it was made from changed.
# A folder counts by its files' names and contents.
inputs_digest() {
  local f
  for f in "$@"; do
    if [ -d "$f" ]; then
      (cd "$f" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
    else
      sha256sum "$f" | cut -d' ' -f1
    fi
  done | sha256sum | cut -d' ' -f1
}

# build_stamp FILE...: what a stage is built from: the inputs' contents and
# the build settings taken from the environment (PGO+LTO for CPython), so
# that changing either rebuilds instead of reusing the stage.
build_stamp() {
  { inputs_digest "$@"; echo "python-optimize=${MEMLEAN_PYTHON_OPTIMIZE:-1}"; } | sha256sum | cut -d' ' -f1
}

# python_optimized: true unless MEMLEAN_PYTHON_OPTIMIZE=0 asks for a quick
# development build of CPython without PGO and LTO (scripts/build-python).
python_optimized() {
  case ${MEMLEAN_PYTHON_OPTIMIZE:-1} in
    1) return 0 ;;
    0) return 1 ;;
    *) die "MEMLEAN_PYTHON_OPTIMIZE is '$MEMLEAN_PYTHON_OPTIMIZE' (expected 1, the default: PGO+LTO as released, or 0: a quick unoptimized build for development)" ;;
  esac
}

# variant_label RUNTIME VARIANT: the name a build gives itself (sys.version's
# "+memlean-<label>"): the variant, marked "-unoptimized" for a CPython
# built without PGO and LTO, so that such a build cannot pass for a release.
variant_label() {
  if [ "$1" = python ] && ! python_optimized; then echo "$2-unoptimized"; else echo "$2"; fi
}

# build_optimization RUNTIME: how a build of RUNTIME is optimized, as its
# packages state it.
build_optimization() {
  case $1 in
    python) if python_optimized; then echo "PGO and LTO, the interpreter linked with the library's objects"; else echo "UNOPTIMIZED (no PGO, no LTO: MEMLEAN_PYTHON_OPTIMIZE=0, a development build, not a release)"; fi ;;
    ruby) echo "-O3, with YJIT built in (ruby --yjit, or RUBY_YJIT_ENABLE=1)" ;;
  esac
}

# Compilers go through ccache (its gcc/g++ masquerade links, so that the
# compiler a runtime records for its extensions stays plain "gcc").
# MEMLEAN_PREFIX_MAP maps the build tree to a fixed /usr/src/<id>, so that
# variants share cache entries and no build path leaks into what we ship.
use_ccache() {
  export MEMLEAN_PREFIX_MAP="-ffile-prefix-map=$1=$2"
  local masquerade
  for masquerade in /usr/lib/ccache /usr/lib64/ccache ""; do
    [ -z "$masquerade" ] || [ ! -x "$masquerade/gcc" ] || break
  done
  if [ -z "$masquerade" ]; then
    # A distro without a ccache package (amazonlinux-2023) builds uncached.
    [ "${MEMLEAN_NO_CCACHE:-0}" = 1 ] || die "ccache is not installed (no /usr/lib/ccache/gcc or /usr/lib64/ccache/gcc); run: make deps (or set MEMLEAN_NO_CCACHE=1 to build without it)"
    return 0
  fi
  export PATH=$masquerade:$PATH CCACHE_BASEDIR=$MEMLEAN_OUT CCACHE_NOHASHDIR=1
}

# unpack_source TARBALL DIR: fresh DIR with the tarball's top folder stripped.
unpack_source() {
  rm -rf "$2"
  mkdir -p "$2"
  tar -xf "$1" -C "$2" --strip-components=1 --no-same-owner
}

# patch_path NAME: what a recipe's patch name stands for: patches/NAME.patch,
# a change to upstream's files, or patches/NAME/, a folder of memlean's own
# source files that the build adds to the top of the source tree (the
# release code, patches/common/release-memory/, is one). Prints the path;
# returns 1 if there is neither.
patch_path() {
  if [ -f "$MEMLEAN_ROOT/patches/$1.patch" ]; then echo "$MEMLEAN_ROOT/patches/$1.patch"
  elif [ -d "$MEMLEAN_ROOT/patches/$1" ]; then echo "$MEMLEAN_ROOT/patches/$1"
  else return 1
  fi
}

# apply_patches DIR PATH...: in order, applies each .patch to the source
# tree DIR exactly (--fuzz=0), or copies each folder's files into it (never
# over a file upstream has), naming each.
apply_patches() {
  local dir=$1 p f
  shift
  for p in "$@"; do
    if [ -d "$p" ]; then
      echo "adding ${p#"$MEMLEAN_ROOT"/}/"
      while IFS= read -r -d '' f; do
        f=${f#./}
        [ ! -e "$dir/$f" ] || { echo "${p#"$MEMLEAN_ROOT"/}/$f: the source tree has $f already; memlean's files add, never replace" >&2; return 1; }
        mkdir -p "$dir/$(dirname "$f")"
        cp "$p/$f" "$dir/$f"
      done < <(cd "$p" && find . -type f -print0 | sort -z)
    else
      echo "applying ${p#"$MEMLEAN_ROOT"/}"
      patch -d "$dir" -p1 --fuzz=0 --forward --batch --no-backup-if-mismatch <"$p"
    fi
  done
}

# write_variant_header VARIANT [LABEL]: memlean_variant.h, which the patches
# read; MEMLEAN_VARIANT is LABEL (default: VARIANT; see variant_label).
write_variant_header() {
  printf '/* Written by memlean scripts/build; read by memlean patches. */\n'
  printf '#define MEMLEAN_VARIANT "%s"\n' "${2:-$1}"
  case $1 in
    malloctrim) printf '#define MEMLEAN_RELEASE_WITH_MALLOC_TRIM 1\n' ;;
    jemalloc) printf '#define MEMLEAN_RELEASE_WITH_JEMALLOC 1\n' ;;
  esac
}
