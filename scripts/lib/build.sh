# shellcheck shell=bash
# Building: the settings and stamps of a build, ccache, unpacking and
# patching a source tree, the ELF files of a stage. Sourced through
# scripts/lib.sh.

# build_libs: the helper files a build's code comes from, one per line: a
# change to them rebuilds (they go into the stamps); the benchmarks'
# helpers are not among them.
build_libs() {
  printf '%s\n' "$MEMLEAN_ROOT/scripts/lib.sh" "$MEMLEAN_ROOT/scripts/lib/core.sh" \
    "$MEMLEAN_ROOT/scripts/lib/recipes.sh" "$MEMLEAN_ROOT/scripts/lib/build.sh"
}

# build_stamp FILE...: what a stage is built from: the inputs' contents and
# the build settings taken from the environment (PGO+LTO for CPython), so
# that changing either rebuilds instead of reusing the stage.
build_stamp() {
  { inputs_digest "$@"; echo "python-optimize=${MEMLEAN_PYTHON_OPTIMIZE:-1}"; } | sha256sum | cut -d' ' -f1
}

# python_optimized: true unless MEMLEAN_PYTHON_OPTIMIZE=0 asks for a quick
# development build of CPython without PGO and LTO (scripts/build/build-python).
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

# build_cache_root: where the caches beside ccache's live (a Debian
# release's ccache, CPython's profiles, Ruby's YJIT library), outside out/
# so that a fresh clone finds them: MEMLEAN_CCACHE_ROOT, or
# ~/.cache/memlean-ccache.
build_cache_root() {
  echo "${MEMLEAN_CCACHE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/memlean-ccache}"
}

# Hardening, as Debian's and python-build-standalone's builds have it, and
# as scripts/package/check-elf requires of every shipped ELF file: libc
# calls fortified and the stack protected where the compiler can, the
# relocations read-only after they are all bound at load (relro, now) and
# the stack not executable. Ruby's configure adds the compile flags itself.
# shellcheck disable=SC2034 # read by scripts/build/build-*
MEMLEAN_HARDENING_CFLAGS="-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong"
# shellcheck disable=SC2034
MEMLEAN_HARDENING_LDFLAGS="-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack"

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

# Configure checks, shared by the variants of a release: what one build's
# configure found (config.log's cache variables) is kept in
# out/configure-cache/, and the next build that would make the same checks
# starts from it (CONFIG_SITE: not recorded in sysconfig's CONFIG_ARGS or
# RbConfig, as --cache-file would be). On this VM a configure takes 2-3
# minutes, mostly forking compilers; most of that goes from the second
# variant on. Builds make the same checks when the configure script, the
# options (the install prefix and LIBS aside: the variants differ only
# there), the compiler, the compile flags in the environment and the
# installed packages are the same; configure_key digests these. The
# precious variables (ac_cv_env_*) and the checks about malloc are left
# out, so that each variant makes those itself. Only Ruby's build uses it:
# its variants' config.h and Makefile come out the same, LIBS aside
# (tests/artifact/ruby-build.sh). CPython's configure sets output
# variables inside cached checks, which a reused check skips.

# configure_key OPTION...: run in the source tree; what decides the checks
# a configure with OPTIONs makes, as a digest.
configure_key() {
  {
    sha256sum <configure
    printf '%s\n' "$@" | grep -v '^LIBS=' | sed "s|${MEMLEAN_PREFIX:?}|@PREFIX@|g"
    gcc --version 2>&1 | sed -n 1p
    { env | grep -E '^(CC|CXX|CPP|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|LIBS)=' || true; } | sort
    if command -v dpkg-query >/dev/null; then dpkg-query -W -f='${Package} ${Version}\n'
    elif command -v rpm >/dev/null; then rpm -qa | sort
    fi
  } | sha256sum | cut -c1-32
}

# save_configure_checks CONFIG_LOG SITE_FILE: the cache variables of
# CONFIG_LOG, less ac_cv_env_* and those naming malloc, as a CONFIG_SITE
# file (written whole, or not at all: nothing if a value spans lines).
save_configure_checks() {
  local checks
  checks=$(awk '/^## Cache variables\. ##$/ { on = 1; next } on && /^## .* ##$/ && !/^## -+ ##$/ { exit }
    on && NF' "$1" | grep -v '^## -* ##$') || return 0
  grep -qv '^[A-Za-z_][A-Za-z0-9_]*=' <<<"$checks" && return 0
  mkdir -p "$(dirname "$2")"
  { echo "# configure checks saved from $1 by memlean (scripts/lib/build.sh)"
    grep -v -e '^ac_cv_env_' -e '^[A-Za-z0-9_]*[Mm][Aa][Ll][Ll][Oo][Cc][A-Za-z0-9_]*=' <<<"$checks"
  } >"$2.tmp"
  mv "$2.tmp" "$2"
}

# configure_cached LOG LABEL OPTION...: ./configure OPTION... as a build
# step, starting from the checks an earlier build with the same key saved
# (if that fails, the saved checks are dropped and configure runs again
# without them); saves its own checks when there were none.
configure_cached() {
  local log=$1 label=$2 site
  shift 2
  site=$MEMLEAN_OUT/configure-cache/$(configure_key "$@").site
  if [ -f "$site" ]; then
    if (run_step "$log" "$label (checks saved by an earlier variant: ${site#"$MEMLEAN_ROOT"/})" \
      env CONFIG_SITE="$site" ./configure "$@"); then
      return 0
    fi
    rm -f "$site"
    info "configure failed with the saved checks; dropped them, running it again without"
  fi
  run_step "$log" "$label" ./configure "$@"
  save_configure_checks config.log "$site"
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
  printf '/* Written by memlean scripts/build/build-one; read by memlean patches. */\n'
  printf '#define MEMLEAN_VARIANT "%s"\n' "${2:-$1}"
  case $1 in
    malloctrim) printf '#define MEMLEAN_RELEASE_WITH_MALLOC_TRIM 1\n' ;;
    jemalloc) printf '#define MEMLEAN_RELEASE_WITH_JEMALLOC 1\n' ;;
  esac
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
