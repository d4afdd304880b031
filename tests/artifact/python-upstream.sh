#!/usr/bin/env bash
# A fixed subset of CPython's own test suite, run from each variant's install
# prefix (tests/probes/installed: test_embed and test_venv's copied binaries
# find libpython only there): the PGO training set (-m test --pgo, 43 files)
# and the tests that touch the GC, embedding, threads, C extensions,
# allocators, venvs and sysconfig. The trimming variants run with
# MEMLEAN_TRIM_INTERVAL_MS=0, so every full collection of the suite goes
# through the hook. test_print_exception_gh_102056 is left out: its child
# recurses exponentially until a thread's interrupt_main() stops it, and
# when that interrupt lands badly it never ends (seen here once, 15 minutes
# spinning on the normal build); --timeout turns any other hang into a
# failure that names the test instead of eating the CI time limit.
. "$(dirname "$0")/../lib.sh"

subset=(test_gc test_embed test_sys test_threading test_ctypes test_capi test_tracemalloc
  test_ssl test_sqlite3 test_venv test_sysconfig)
for v in normal malloctrim jemalloc; do
  [ -x "$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3" ] || { fail "$v is built (make build RECIPE=$PYTHON_RECIPE VARIANT=$v)"; continue; }
  installed=("$ROOT/tests/probes/installed" "$(build_path stage "$PYTHON_RECIPE" "$v")")
  python=$(build_path prefix "$PYTHON_RECIPE" "$v")/bin/python3
  interval=()
  [ "$v" = normal ] || interval=(MEMLEAN_TRIM_INTERVAL_MS=0)
  for set in pgo subset; do
    log=$MEMLEAN_OUT/logs/tests/python-upstream-$v-$set.log
    args=(--timeout=600 -i test_print_exception_gh_102056 --pgo)
    [ "$set" = pgo ] || args=("${args[@]:0:3}" "${subset[@]}")
    if "${installed[@]}" env ${interval[@]+"${interval[@]}"} "$python" -m test -j2 "${args[@]}" >"$log" 2>&1; then
      pass "$v: -m test ${args[*]:3} ($(grep -E '^Total tests:' "$log" | tail -n 1))"
    else
      fail "$v: -m test ${args[*]:3}" "$(grep -E 'failed|FAILURE|Total' "$log" | tail -n 6); full log: $log"
    fi
  done
done

finish
