#!/usr/bin/env bash
# What the build left in the stage: variant names, no static libraries,
# debug info split off by build-id, no build paths in RbConfig, and (in the
# jemalloc variant) jemalloc as a direct NEEDED of bin/ruby ahead of libc;
# the variants configured alike, the later ones from the checks the first
# one saved, and sharing YJIT's Rust library.
. "$(dirname "$0")/../lib.sh"

for v in normal malloctrim jemalloc; do
  root=$(build_path root "$RUBY_RECIPE" "$v")
  id=$(build_path id "$RUBY_RECIPE" "$v")
  ruby=$root/bin/ruby
  runtime_built "$RUBY_RECIPE" "$v" ruby || continue
  check "$v: ruby -v names the variant" grep -q " +memlean-$v " <<<"$("$ruby" -v)"
  expect "$v: RbConfig names the variant" "$("$ruby" -e 'print RbConfig::CONFIG["MEMLEAN_VARIANT"]')" "$v"
  expect "$v: RUBY_DESCRIPTION names the variant with YJIT on too" \
    "$("$ruby" --yjit -e 'print RUBY_DESCRIPTION[/\+memlean-\w+ \+YJIT/]')" "+memlean-$v +YJIT"
  expect "$v: YJIT is off until asked for, on with RUBY_YJIT_ENABLE=1 (as recipes/README.md says)" \
    "$("$ruby" -e 'print RubyVM::YJIT.enabled?') $(RUBY_YJIT_ENABLE=1 "$ruby" -e 'print RubyVM::YJIT.enabled?')" "false true"
  expect "$v: installed under /usr/lib/memlean/ruby/<version>[-variant]" "${root#*/stage/"$id"}" \
    "/usr/lib/memlean/ruby/$("$ruby" -e 'print RUBY_VERSION')$([ "$v" = normal ] || echo "-$v")"
  expect "$v: no static libraries installed" "$(find "$root" -name '*.a' | wc -l)" 0
  expect "$v: no build path in rbconfig.rb" "$(find "$root" -name rbconfig.rb -exec grep -c "$MEMLEAN_OUT\|$ROOT" {} +)" 0
  libruby=$(readlink -f "$root/lib/$("$ruby" -e 'print RbConfig::CONFIG["LIBRUBY_SO"]')")
  check "$v: libruby is stripped of debug info" bash -c "! readelf -S '$libruby' | grep -q '\.debug_info'"
  bid=$(readelf -n "$libruby" | sed -n 's/^ *Build ID: *//p')
  check "$v: libruby's debug info is kept by build-id" \
    bash -c "readelf -S '$MEMLEAN_OUT/debug/$id/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug' | grep -q '\.debug_info'"
done

root=$(build_path root "$RUBY_RECIPE" jemalloc)
needed=$(readelf -d "$root/bin/ruby" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "jemalloc: bin/ruby needs libjemalloc_memlean.so.2 ahead of libc.so.6 [$needed]" \
  grep -Eq 'libjemalloc_memlean\.so\.2 .*libc\.so\.6' <<<"$needed"
check "jemalloc: the private jemalloc ships inside the runtime" test -f "$root/lib/libjemalloc_memlean.so.2"
check "jemalloc: bin/ruby finds it through its own rpath, not a system path" \
  bash -c "env -u LD_LIBRARY_PATH ldd '$root/bin/ruby' | grep -q 'libjemalloc_memlean.so.2 => $root/bin/../lib/'"
root=$(build_path root "$RUBY_RECIPE" normal)
check "normal: bin/ruby does not link jemalloc" bash -c "! readelf -d '$root/bin/ruby' | grep -q jemalloc"

compiled=0
for v in normal malloctrim jemalloc; do
  ! grep -q '^building Rust YJIT' "$MEMLEAN_OUT/logs/$(build_path id "$RUBY_RECIPE" "$v")/make.log" || compiled=$((compiled + 1))
done
check "YJIT's Rust library was compiled by one variant at most, the others took it from the cache ($compiled of 3 compiled it)" test "$compiled" -le 1
check_shared_configure "$RUBY_RECIPE" '.ext/include/*/ruby/config.h'

finish
