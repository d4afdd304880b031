#!/usr/bin/env bash
# What the CPython build left in the stage: the variant in sys.version and
# platform.python_build(), the layout, no static libraries, debug info split
# off by build-id, and (jemalloc variant) jemalloc as a direct NEEDED of the
# executable and libpython ahead of libc, shipped inside the runtime.
. "$(dirname "$0")/../lib.sh"

for v in normal malloctrim jemalloc; do
  root=$(build_path root "$PYTHON_RECIPE" "$v")
  id=$(build_path id "$PYTHON_RECIPE" "$v")
  python=$root/bin/python3
  runtime_built "$PYTHON_RECIPE" "$v" python3 || continue
  check "$v: sys.version names the variant" grep -q "+memlean-$v, " <<<"$("$python" -c 'import sys; print(sys.version)')"
  expect "$v: platform.python_build() names it too" "$("$python" -c 'import platform; print(platform.python_build()[0])')" "main+memlean-$v"
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
