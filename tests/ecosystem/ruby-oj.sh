#!/usr/bin/env bash
# Oj 3.14.2: its extension (ext/oj, about 40,000 lines of C) built with
# extconf.rb and make; test/tests.rb, the runner of its main suite, which
# ends with GC.verify_compaction_references. Left out: test/isolated and the
# Rails and ActiveSupport tests, which need Rails.
. "$(dirname "$0")/lib"
ECO_RUNTIME=ruby ECO_RECIPE=third-party/ruby-oj-3.14.2
ECO_TESTS="test/tests.rb (its main suite)"
ECO_FORMAT=minitest
ECO_LEFT_OUT="test/isolated, test/activesupport*, test/activerecord (need Rails)"
ECO_TOOLS=(third-party/ruby-minitest-5.25.4)
ECO_OBJECTS=('oj\.so')

eco_build() {
  (cd ext/oj && "$RUNTIME" extconf.rb && make -j2 && make install sitearchdir="$SRC/lib" sitelibdir="$SRC/lib")
}
eco_tests() { eco_ruby -Ilib test/tests.rb -v; }
eco_smoke() { eco_ruby -Ilib -e 'require "oj"; p Oj.load(Oj.dump({"a" => [1, 2.5, "x" * 100]}))'; }
eco_main
