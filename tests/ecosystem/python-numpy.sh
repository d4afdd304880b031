#!/usr/bin/env bash
# NumPy: Debian 13's binary package python3-numpy, built by Debian for
# CPython 3.13's ABI, imported by the variant's CPython inside a Debian 13
# root (made once by scripts/env/make-root with numpy, pytest and hypothesis;
# the variant's tree is mounted at its install prefix there): Debian
# 13's numpy needs glibc 2.38, newer than this machine's. A stated part of
# its own test suite runs: the core array, ufunc and numeric tests, linalg,
# fft and random.
. "$(dirname "$0")/lib"
ECO_RUNTIME=python
ECO_FORMAT=pytest
ECO_TESTS="pytest --pyargs numpy._core.tests.test_multiarray, .test_umath, .test_numeric, numpy.linalg, numpy.fft, numpy.random"
ECO_LEFT_OUT="the rest of numpy's suite (time: the part run takes most of the C code paths)"
ECO_OBJECTS=('_multiarray_umath\.cpython[^ ]*\.so' '_umath_linalg\.cpython[^ ]*\.so')
export NUMPY_ROOT=$MEMLEAN_OUT/ecosystem/roots/debian-13-numpy
ECO_SYSROOT=$NUMPY_ROOT
if [ ! -x "$NUMPY_ROOT/usr/bin/python3" ]; then
  log=$ECO_LOGS/numpy-root.log
  mkdir -p "$ECO_LOGS"
  "$ROOT/scripts/env/make-root" debian-13 "$NUMPY_ROOT" python3-numpy python3-pytest python3-hypothesis >"$log" 2>&1 ||
    { fail "a Debian 13 root with python3-numpy is made (log: ${log#"$ROOT"/})" "$(tail -n 5 "$log")"; finish; }
fi
ECO_NAME=numpy
# shellcheck disable=SC2016 # dpkg-query expands its own format
ECO_VERSION=$(chroot "$NUMPY_ROOT" dpkg-query -W -f='${Version}' python3-numpy)
ECO_SOURCE="Debian 13 binary: python3-numpy $ECO_VERSION"
ECO_VERSION=${ECO_VERSION#*:}
ECO_VERSION=${ECO_VERSION%%+*}

# numpy_python ARGS...: the variant's python3 inside the root, with the
# root's Debian modules on its path; the memlean and ld.so knobs set here
# pass in (in-root starts from an empty environment).
numpy_python() {
  local pass=() var
  for var in MEMLEAN_TRIM_INTERVAL_MS LD_BIND_NOW LD_DEBUG; do
    [ -z "${!var:-}" ] || pass+=("$var=${!var}")
  done
  [ -z "${LD_DEBUG_OUTPUT:-}" ] || pass+=(LD_DEBUG_OUTPUT=/memlean-ld/ld)
  mkdir -p "$T_TMP/ld"
  "$ROOT/scripts/env/in-root" "$NUMPY_ROOT" --bind "$STAGE/usr/lib/memlean:/usr/lib/memlean:ro" \
    --bind "$(dirname "${LD_DEBUG_OUTPUT:-$T_TMP/ld/ld}"):/memlean-ld" -- \
    env ${pass[@]+"${pass[@]}"} PYTHONPATH=/usr/lib/python3/dist-packages "$RUNTIME" "$@"
}
eco_build() {
  numpy_python -c 'import numpy, sys; print(numpy.__version__, numpy.__file__); sys.exit(not numpy.__file__.startswith("/usr/lib/python3/dist-packages/"))'
}
eco_tests() {
  numpy_python -X faulthandler -m pytest -v -p no:cacheprovider --pyargs numpy._core.tests.test_multiarray \
    numpy._core.tests.test_umath numpy._core.tests.test_numeric numpy.linalg numpy.fft numpy.random
}
eco_smoke() {
  numpy_python -c 'import numpy as np; a = np.random.default_rng(1).random((300, 300)); print(float(np.linalg.inv(a @ a.T + np.eye(300)).sum()) != 0)'
}
eco_main
