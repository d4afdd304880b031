#!/usr/bin/env bash
# A C extension builds with each runtime's own mkmf and loads; in the
# jemalloc variant jemalloc serves every malloc/free of the process
# (tests/probes/check-allocator), and the same check fails on the others.
. "$(dirname "$0")/../lib.sh"

probe=$ROOT/out/tools/memlean-probe.so
for v in normal malloctrim jemalloc; do
  ruby=$(build_path root "$RUBY_RECIPE" "$v")/bin/ruby
  ext=$T_TMP/ext-$v
  if ! "$ROOT/tests/probes/build-ruby-ext" "$ruby" "$ext" >/dev/null 2>"$T_TMP/ext.err"; then
    fail "$v: the C extension builds with ruby extconf.rb && make" "$(cat "$T_TMP/ext.err")"
    continue
  fi
  pass "$v: the C extension builds with ruby extconf.rb && make"
  check "$v: the C extension loads and runs" "$ruby" -I"$ext" -rmemlean_ext -e 'MemleanExt.malloc_provider or exit 1'
  rc=0
  "$ROOT/tests/probes/check-allocator" "$ruby" "$probe" \
    "ruby libruby\.so[.0-9]* libc\.so\.6 libstdc\+\+\.so\.6 memlean_ext\.so" -- \
    "$ruby" -I"$ext" -rmemlean_ext -e '
      puts "provider=#{MemleanExt.malloc_provider}"
      n = Integer(ENV["MEMLEAN_CHECK_BYTES"])
      %i[c cxx strdup].each { |how| puts "growth_#{how}=#{MemleanExt.jemalloc_growth(n, how).inspect}" }' \
    >"$T_TMP/alloc-$v.txt" 2>&1 || rc=$?
  allocator_verdict "$v" "$rc" "$T_TMP/alloc-$v.txt"
done

finish
