#!/usr/bin/env bash
# A fixed subset of Ruby's own tests, run from the trimming variants' build
# trees: test/ruby/test_gc.rb and test/ruby/test_process.rb (fork, spawn,
# daemon and signals, with memlean's thread running), and with make
# test-upstream the bootstrap tests (make btest) too; with
# MEMLEAN_TRIM_INTERVAL_MS=0, so every full GC of the suite goes through the
# hook, and with the releaser thread at its default period. Not on normal:
# it carries no memlean code beyond the variant's name, the build
# configuration it shares is tested here through the other two, and its run
# took 2 minutes of make test's budget.
. "$(dirname "$0")/../lib.sh"

# The jemalloc build tree also compiles (version.c, for a fake rbconfig)
# while testing: give it the same search paths as the build had.
jemalloc_dir=$(find "$MEMLEAN_OUT/jemalloc" -mindepth 1 -maxdepth 1 -type d | head -n 1)
build_env=(LD_LIBRARY_PATH="$jemalloc_dir/lib" C_INCLUDE_PATH="$jemalloc_dir/include" LIBRARY_PATH="$jemalloc_dir/lib")
for v in malloctrim jemalloc; do
  tree=$(build_path tree "$RUBY_RECIPE" "$v")
  [ -x "$tree/ruby" ] || { fail "$v: build tree $tree exists (make build RECIPE=$RUBY_RECIPE VARIANT=$v)"; continue; }
  interval=(MEMLEAN_TRIM_INTERVAL_MS=0)
  log=$ROOT/out/logs/tests/ruby-upstream-$v-btest.log
  # btest (1,880 tests, a release after every full GC; about 3 minutes a
  # variant) only with MEMLEAN_UPSTREAM_FULL=1 (make test-upstream), on both
  # variants; make test runs test_gc and test_process on each.
  if [ "${MEMLEAN_UPSTREAM_FULL:-0}" = 1 ]; then
    if env ${interval[@]+"${interval[@]}"} "${build_env[@]}" make -C "$tree" btest >"$log" 2>&1; then
      pass "$v: make btest ($(grep -Eo 'PASS all [0-9]+ tests' "$log" | tail -n 1))"
    else
      fail "$v: make btest" "$(tail -n 15 "$log"); full log: $log"
    fi
  fi
  for t in test_gc test_process; do
    log=$ROOT/out/logs/tests/ruby-upstream-$v-$t.log
    if env ${interval[@]+"${interval[@]}"} "${build_env[@]}" make -C "$tree" test-all TESTS="ruby/$t.rb" >"$log" 2>&1; then
      pass "$v: test/ruby/$t.rb ($(grep -Eo '[0-9]+ tests, [0-9]+ assertions, 0 failures, 0 errors' "$log" | tail -n 1))"
    else
      fail "$v: test/ruby/$t.rb" "$(tail -n 15 "$log"); full log: $log"
    fi
  done
done

finish
