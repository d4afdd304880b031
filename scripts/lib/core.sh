# shellcheck shell=bash
# The core every memlean script uses: where things are, errors and progress
# lines, logged steps, templates, KEY=value files, jobs side by side,
# digests, this machine's arch and distro. Sourced through scripts/lib.sh.

MEMLEAN_ROOT=${MEMLEAN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MEMLEAN_OUT=${MEMLEAN_OUT:-$MEMLEAN_ROOT/out}
MEMLEAN_CACHE=${MEMLEAN_CACHE:-$MEMLEAN_OUT/cache}
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
      [ -n "${!var+x}" ] || die "$1: @${BASH_REMATCH[1]}@ has no value (T_${BASH_REMATCH[1]} is not set); fix the template or $MEMLEAN_PROG, which fills it"
      [ -z "${!var}" ] || printf '%s\n' "${!var}"
      continue
    fi
    while [[ $line =~ @([A-Z][A-Z0-9_]*)@ ]]; do
      key=${BASH_REMATCH[1]} var=T_${BASH_REMATCH[1]}
      [ -n "${!var+x}" ] || die "$1: @$key@ has no value (T_$key is not set); fix the template or $MEMLEAN_PROG, which fills it"
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

# build_arch: the Debian name of this machine's architecture (amd64, arm64).
build_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) die "unsupported architecture $(uname -m) (expected x86_64 or aarch64)" ;;
  esac
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
