#!/usr/bin/env bash
# A C extension (with a C++ file) builds with each CPython variant's own pip,
# run from the install prefix (tests/probes/installed), and loads; in the
# jemalloc variant jemalloc serves every malloc/free of the process
# (tests/probes/check-allocator), and the same check fails on the others.
# The interpreter carries the runtime itself (libpython.so is for
# embedders), so its executable is the runtime object checked.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
code='import os, memlean_ext as m
n = int(os.environ["MEMLEAN_CHECK_BYTES"])
print("provider=%s" % m.malloc_provider())
for how in ("c", "cxx", "strdup"):
    print("growth_%s=%s" % (how, m.jemalloc_growth(n, how)))'
for v in normal malloctrim jemalloc; do
  installed=("$ROOT/tests/probes/installed" "$(build_path stage "$PYTHON_RECIPE" "$v")")
  python=$(build_path prefix "$PYTHON_RECIPE" "$v")/bin/python3
  if ! ext=$("${installed[@]}" "$ROOT/tests/probes/build-python-ext" "$python" "$T_TMP/ext-$v" 2>"$T_TMP/ext.err"); then
    fail "$v: the C extension builds with pip (setuptools from Debian's offline wheel)" "$(cat "$T_TMP/ext.err")"
    continue
  fi
  pass "$v: the C extension builds with pip (setuptools from Debian's offline wheel)"
  ext=$(dirname "$ext")
  check "$v: the C extension loads and runs" "${installed[@]}" env PYTHONPATH="$ext" "$python" -c 'import memlean_ext; memlean_ext.malloc_provider()'
  rc=0
  "${installed[@]}" env PYTHONPATH="$ext" "$ROOT/tests/probes/check-allocator" "$python" "$probe" \
    "python3[.0-9]* libc\.so\.6 libstdc\+\+\.so\.6 memlean_ext\.[-_a-z0-9]*\.so" -- \
    "$python" -c "$code" >"$T_TMP/alloc-$v.txt" 2>&1 || rc=$?
  allocator_verdict "$v" "$rc" "$T_TMP/alloc-$v.txt"
done

finish
