#!/usr/bin/env bash
# A fixed subset of CPython's own test suite, run from each variant's staged
# install: the PGO training set (-m test --pgo, 43 files) and the tests that
# touch the GC, embedding, threads, C extensions, allocators and packaging.
# The trimming variants run with MEMLEAN_TRIM_INTERVAL_MS=0, so every full
# collection of the suite goes through the hook. test_venv and
# test_sysconfig are left out here: they make venvs with copied binaries,
# which find libpython through the install prefix, and a staged tree is not
# installed there (they fail with exit 127 here; the install tests of issue 4
# are where they belong).
. "$(dirname "$0")/../lib.sh"

subset=(test_gc test_embed test_sys test_threading test_ctypes test_capi test_tracemalloc
  test_ssl test_sqlite3)
for v in normal malloctrim jemalloc; do
  python=$(build_path root "$PYTHON_RECIPE" "$v")/bin/python3
  [ -x "$python" ] || { fail "$v is built (make build RECIPE=$PYTHON_RECIPE VARIANT=$v)"; continue; }
  interval=()
  [ "$v" = normal ] || interval=(MEMLEAN_TRIM_INTERVAL_MS=0)
  for set in pgo subset; do
    log=$MEMLEAN_OUT/logs/tests/python-upstream-$v-$set.log
    args=(--pgo)
    [ "$set" = pgo ] || args=("${subset[@]}")
    if env ${interval[@]+"${interval[@]}"} "$python" -m test -j2 "${args[@]}" >"$log" 2>&1; then
      pass "$v: -m test ${args[*]} ($(grep -E '^Total tests:' "$log" | tail -n 1))"
    else
      fail "$v: -m test ${args[*]}" "$(grep -E 'failed|FAILURE|Total' "$log" | tail -n 6); full log: $log"
    fi
  done
done

finish
