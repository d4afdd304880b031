#!/usr/bin/env bash
# bcrypt 3.1.20: its extension (ext/mri) built with extconf.rb and make, as
# RubyGems builds it; its rspec specs, all of them.
. "$(dirname "$0")/lib"
ECO_RUNTIME=ruby ECO_RECIPE=third-party/ruby-bcrypt-3.1.20
ECO_TESTS="rspec spec/ (all)"
ECO_FORMAT=rspec
ECO_TOOLS=(third-party/ruby-rspec-core-3.13.0 third-party/ruby-rspec-expectations-3.13.0
  third-party/ruby-rspec-mocks-3.13.0 third-party/ruby-rspec-support-3.13.0 third-party/ruby-diff-lcs-1.5.1)
ECO_OBJECTS=('bcrypt_ext\.so')

eco_build() {
  (cd ext/mri && "$RUNTIME" extconf.rb && make -j2 && make install sitearchdir="$SRC/lib" sitelibdir="$SRC/lib")
}
eco_tests() {
  eco_ruby -Ilib -e 'require "rspec/core"; exit RSpec::Core::Runner.run(%w[--format documentation spec])'
}
eco_smoke() {
  eco_ruby -Ilib -e 'require "bcrypt"; p BCrypt::Password.create("secret", cost: 4) == "secret"'
}
eco_main
