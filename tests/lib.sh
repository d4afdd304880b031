# shellcheck shell=bash
# Helpers for tests/*/*.sh: TAP-like "ok"/"not ok" lines, exit status 1 if
# any case failed.
set -Eeuo pipefail
export ROOT
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_FAILS=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/memlean-test.XXXXXX")
T_SERVERS=()
stop_servers() {
  local pid
  for pid in ${T_SERVERS[@]+"${T_SERVERS[@]}"}; do kill "$pid" 2>/dev/null || true; done
  T_SERVERS=()
}
trap 'stop_servers; rm -rf "$T_TMP"' EXIT
trap 'exit 130' INT TERM

# serve_dir DIR: serves DIR over HTTP on 127.0.0.1 (a free port) with
# python3's http.server, sets SERVED_URL; the server stops when the test
# exits, however it exits. Fails when no port could be served.
serve_dir() {
  local port pid i
  for port in $(shuf -i 20000-60000 -n 20); do
    python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >>"$T_TMP/http.log" 2>&1 &
    pid=$!
    T_SERVERS+=("$pid")
    for i in 1 2 3 4 5 6 7 8 9 10; do
      # shellcheck disable=SC2034 # read by the tests
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then SERVED_URL=http://127.0.0.1:$port; return 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.$i
    done
    kill "$pid" 2>/dev/null || true
  done
  return 1
}

pass() { printf 'ok - %s\n' "$1"; }
fail() {
  printf 'not ok - %s\n' "$1"
  [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/  # /'
  T_FAILS=$((T_FAILS + 1))
}

# check NAME CMD...: passes when CMD succeeds.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# check_error NAME PATTERN CMD...: CMD must fail and print exactly one line
# containing "error:" (or make's "***"), matching the extended regex PATTERN.
check_error() {
  local name=$1 pattern=$2 out rc=0 errors
  shift 2
  out=$("$@" 2>&1) || rc=$?
  errors=$(grep -Ec 'error:|\*\*\* .*Stop\.$' <<<"$out" || true)
  if [ "$rc" -eq 0 ]; then
    fail "$name" "expected failure, got success: $out"
  elif [ "$errors" -ne 1 ]; then
    fail "$name" "expected one error line, got $errors: $out"
  elif ! grep -E 'error:|\*\*\* .*Stop\.$' <<<"$out" | grep -Eq -- "$pattern"; then
    fail "$name" "error line does not match /$pattern/: $out"
  else
    pass "$name"
  fi
}

# expect NAME ACTUAL EXPECTED
expect() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$3], got [$2]"; fi
}

finish() {
  [ "$T_FAILS" -eq 0 ] || { printf '%s case(s) failed\n' "$T_FAILS"; exit 1; }
}

MEMLEAN_OUT=${MEMLEAN_OUT:-$ROOT/out}

# Artifact tests look at the builds of RUBY_RECIPE and PYTHON_RECIPE
# (defaults: recipes/defaults).
RUBY_RECIPE=${RUBY_RECIPE:-$(. "$ROOT/scripts/lib.sh" && default_recipe ruby)}
PYTHON_RECIPE=${PYTHON_RECIPE:-$(. "$ROOT/scripts/lib.sh" && default_recipe python)}

# build_path KIND RECIPE VARIANT: KIND=root -> the staged install prefix,
# KIND=stage -> the staged tree (for tests/probes/installed), KIND=prefix ->
# the install prefix, KIND=tree -> the build tree, KIND=id -> the build id.
build_path() (
  # shellcheck source=scripts/lib.sh
  . "$ROOT/scripts/lib.sh"
  load_recipe "$(recipe_path "$2")"
  id=$(build_id "$R_NAME" "$R_VERSION" "$3")
  case $1 in
    root) echo "$MEMLEAN_OUT/stage/$id$(install_prefix "$R_NAME" "$R_VERSION" "$3")" ;;
    stage) echo "$MEMLEAN_OUT/stage/$id" ;;
    prefix) install_prefix "$R_NAME" "$R_VERSION" "$3" ;;
    tree) echo "$MEMLEAN_OUT/build/$id" ;;
    id) echo "$id" ;;
  esac
)

# runtime_built RECIPE VARIANT EXE: true if the staged bin/EXE of RECIPE's
# VARIANT exists; otherwise one failed case that says how to build it.
runtime_built() {
  [ -x "$(build_path root "$1" "$2")/bin/$3" ] && return 0
  fail "$2 is built (make build RECIPE=$1 VARIANT=$2)"
  return 1
}

# check_shared_configure RECIPE HEADER: the variants of RECIPE configured
# alike: their configure HEADER (a path in the build tree; a glob) and
# Makefile are the normal build's, and all but at most one started from checks
# an earlier variant saved (scripts/lib/build.sh: configure_cached).
check_shared_configure() {
  local v tree header normal_header reused=0
  for v in normal malloctrim jemalloc; do
    tree=$(build_path tree "$1" "$v")
    header=$(compgen -G "$tree/$2" | head -n 1 || true)
    [ -f "$header" ] || { fail "$v: the configure header $2 is in its build tree ($tree)"; continue; }
    [ "$v" = normal ] && normal_header=$header
    [ "$v" = normal ] || [ -z "${normal_header:-}" ] || {
      check "$v: configure found what it found for normal ($2 is the same)" cmp "$normal_header" "$header"
      # The Makefile too, but for the variant's name and LIBS: configure
      # may set output variables inside checks a reused one skips.
      check "$v: configure wrote the normal build's Makefile (the variant's name and LIBS aside)" \
        diff <(grep -Ev '^(LIBS|MAINLIBS|configure_args) *=' "$(build_path tree "$1" normal)/Makefile") \
          <(grep -Ev '^(LIBS|MAINLIBS|configure_args) *=' "$tree/Makefile" | sed "s/-$v\b//g")
    }
    ! grep -q 'loading site script .*configure-cache/' "$MEMLEAN_OUT/logs/$(build_path id "$1" "$v")/configure.log" ||
      reused=$((reused + 1))
  done
  check "the variants after the first reused its configure checks ($reused of 3 did)" test "$reused" -ge 2
}

# allocator_verdict VARIANT RC OUTPUT: the jemalloc variant must pass every
# check tests/probes/check-allocator printed to OUTPUT (exit status RC); the
# other variants must be rejected by it (the negative control).
allocator_verdict() {
  local v=$1 rc=$2 out=$3 line
  if [ "$v" = jemalloc ]; then
    while IFS= read -r line; do
      case $line in ok:*) pass "$v: ${line#ok: }" ;; *) fail "$v: ${line#FAIL: }" ;; esac
    done <"$out"
    expect "$v: the allocator check passes as a whole" "$rc" 0
  else
    check "$v: the allocator check rejects it ($(grep -c '^FAIL' "$out") failed checks)" test "$rc" -ne 0
  fi
}

# built_variants RECIPE EXE: sets BUILT to the variants of RECIPE whose
# bin/EXE is staged (runtime_built fails the others); is_built VARIANT asks.
built_variants() {
  local v
  BUILT=()
  for v in normal malloctrim jemalloc; do
    ! runtime_built "$1" "$v" "$2" || BUILT+=("$v")
  done
}
is_built() { [[ " ${BUILT[*]-} " == *" $1 "* ]]; }

# said FIELD: the number after "FIELD=" in what the last probed program
# printed ($T_TMP/stdout).
said() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$T_TMP/stdout"; }

# probe_count FIELD CMD...: runs CMD (env assignments may lead, as with env)
# under the preload probe and prints FIELD of the probe's report; what CMD
# printed is left in $T_TMP/stdout.
probe_count() {
  local field=$1 log=$T_TMP/probe.log
  shift
  rm -f "$log"
  env MEMLEAN_PROBE_LOG="$log" LD_PRELOAD="$ROOT/out/tools/memlean-probe.so" "$@" >"$T_TMP/stdout"
  probe_field "$field" "$log"
}

# probe_field FIELD LOG: the value of FIELD in the probe's first report line.
probe_field() {
  sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2" | head -n 1
}

# report PREFIX FILE: turns the "ok: ..." / "FAIL: ..." lines a probe wrote
# to FILE into passed and failed cases named PREFIX: ...
report() {
  local line seen=0
  while IFS= read -r line; do
    case $line in
      ok:*) pass "$1: ${line#ok: }"; seen=1 ;;
      FAIL:*) fail "$1: ${line#FAIL: }"; seen=1 ;;
    esac
  done <"$2"
  [ $seen = 1 ] || fail "$1: the probe reported nothing" "$(tail -n 20 "$2")"
}

# deb_names DISTRO [dbgsym]: the names of the runtime packages (or of their
# -dbgsym packages) in out/packages/DISTRO.
deb_names() {
  local f name
  for f in "$MEMLEAN_OUT/packages/$1"/*.deb; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    name=${name%%_*}
    case $name in
      *-dbgsym) [ "${2:-}" = dbgsym ] && echo "$name" ;;
      *) [ "${2:-}" = dbgsym ] || echo "$name" ;;
    esac
  done
  return 0
}
