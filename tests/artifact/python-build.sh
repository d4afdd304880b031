#!/usr/bin/env bash
# What the CPython build left in the stage: the variant in sys.version and
# platform.python_build(), the layout, no static libraries, debug info split
# off by build-id, the optimization: a release build's (PGO and LTO, the
# interpreter linked with the library's objects), or, built with
# MEMLEAN_PYTHON_OPTIMIZE=0 as make test does, "unoptimized" in its name and
# stage; libpython.so there for embedders, and one embedding it runs, and (jemalloc variant) jemalloc
# as a direct NEEDED of the executable and libpython ahead of libc, shipped
# inside the runtime.
. "$(dirname "$0")/../lib.sh"

for v in normal malloctrim jemalloc; do
  root=$(build_path root "$PYTHON_RECIPE" "$v")
  id=$(build_path id "$PYTHON_RECIPE" "$v")
  python=$root/bin/python3
  runtime_built "$PYTHON_RECIPE" "$v" python3 || continue
  label=$(. "$ROOT/scripts/lib.sh" && variant_label python "$v")
  check "$v: sys.version names the variant ($label)" grep -q "+memlean-$label, " <<<"$("$python" -c 'import sys; print(sys.version)')"
  expect "$v: platform.python_build() names it too" "$("$python" -c 'import platform; print(platform.python_build()[0])')" "main+memlean-$label"
  expect "$v: installed under /usr/lib/memlean/python/<version>[-variant]" "${root#*/stage/"$id"}" \
    "/usr/lib/memlean/python/$("$python" -c 'import platform; print(platform.python_version())')$([ "$v" = normal ] || echo "-$v")"
  expect "$v: no static libraries installed" "$(find "$root" -name '*.a' | wc -l)" 0
  check "$v: pip is installed (ensurepip)" "$python" -m pip --version
  libpython=$(readlink -f "$root/lib/$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("INSTSONAME"))')")
  check "$v: libpython is stripped of debug info" bash -c "! readelf -S '$libpython' | grep -q '\.debug_info'"
  bid=$(readelf -n "$libpython" | sed -n 's/^ *Build ID: *//p')
  check "$v: libpython's debug info is kept by build-id" \
    bash -c "readelf -S '$MEMLEAN_OUT/debug/$id/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug' | grep -q '\.debug_info'"
  check "$v: no build path in sysconfig's CONFIG_ARGS" bash -c "! '$python' -c 'import sysconfig; print(sysconfig.get_config_var(\"CONFIG_ARGS\"))' | grep -q '$ROOT'"
  config_args=$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("CONFIG_ARGS"))')
  if (. "$ROOT/scripts/lib.sh" && python_optimized); then
    check "$v: configured as a release build (--enable-optimizations --with-lto)" \
      grep -q -- "--enable-optimizations.*--with-lto" <<<"$config_args"
    check "$v: compiled with the PGO profile and LTO (make.log)" \
      grep -q -- "-flto.*-fprofile-use" "$MEMLEAN_OUT/logs/$id/make.log"
    check "$v: bin/python3 carries the runtime, not through libpython.so" \
      bash -c "! readelf -d '$(readlink -f "$python")' | grep -q 'NEEDED.*libpython'"
    check "$v: the stage says how it was optimized" grep -qx 'OPTIMIZATION="PGO and LTO.*' "$MEMLEAN_OUT/stage/$id/.memlean-build"
  else
    check "$v: configured without --enable-optimizations (MEMLEAN_PYTHON_OPTIMIZE=0)" \
      bash -c "! grep -q -- --enable-optimizations <<<'$config_args'"
    check "$v: the stage says it is unoptimized, which its packages repeat" grep -qx 'OPTIMIZATION="UNOPTIMIZED .*' "$MEMLEAN_OUT/stage/$id/.memlean-build"
  fi
  # An embedding program links libpython.so as python3-config says.
  cat >"$T_TMP/embed.c" <<'EOF'
#include <Python.h>
int main(void) {
  Py_Initialize();
  int rc = PyRun_SimpleString("import sys; print('embedded', sys.version.split()[0])");
  return Py_FinalizeEx() < 0 || rc != 0;
}
EOF
  # From the install prefix (tests/probes/installed), where python3-config
  # points.
  installed=("$ROOT/tests/probes/installed" "$MEMLEAN_OUT/stage/$id")
  prefix=$(build_path prefix "$PYTHON_RECIPE" "$v")
  # shellcheck disable=SC2016 # the inner shell expands them
  if "${installed[@]}" sh -c 'c=$1/bin/python3-config; gcc -o "$2" "$3" $("$c" --cflags) $("$c" --ldflags --embed) -Wl,-rpath,"$1/lib"' \
    sh "$prefix" "$T_TMP/embed-$v" "$T_TMP/embed.c" 2>"$T_TMP/embed.err"; then
    expect "$v: a program embedding libpython.so runs" "$("${installed[@]}" "$T_TMP/embed-$v" 2>&1)" "embedded $("$python" -c 'import platform; print(platform.python_version())')"
    check "$v: it loads libpython.so" bash -c "'${installed[0]}' '${installed[1]}' ldd '$T_TMP/embed-$v' | grep -q 'libpython.* => $prefix/lib/'"
  else
    fail "$v: a program embedding libpython.so builds" "$(cat "$T_TMP/embed.err")"
  fi
done

root=$(build_path root "$PYTHON_RECIPE" jemalloc)
libpython=$(readlink -f "$root/lib/$("$root/bin/python3" -c 'import sysconfig; print(sysconfig.get_config_var("INSTSONAME"))')")
for elf in "$root/bin/python3" "$libpython"; do
  needed=$(readelf -d "$(readlink -f "$elf")" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  check "jemalloc: $(basename "$elf") needs libjemalloc_memlean.so.2 ahead of libc.so.6 [$needed]" \
    grep -Eq 'libjemalloc_memlean\.so\.2 .*libc\.so\.6' <<<"$needed"
done
check "jemalloc: bin/python3 finds the private jemalloc through its own rpath" \
  bash -c "env -u LD_LIBRARY_PATH ldd '$root/bin/python3' | grep -q 'libjemalloc_memlean.so.2 => $root/bin/../lib/'"
root=$(build_path root "$PYTHON_RECIPE" normal)
check "normal: bin/python3 does not link jemalloc" bash -c "! readelf -d '$(readlink -f "$root/bin/python3")' | grep -q jemalloc"

finish
