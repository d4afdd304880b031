#!/usr/bin/env bash
# FFI 1.17.0: its extension (ext/ffi_c) built with extconf.rb and make over
# Debian's libffi (--enable-system-libffi: Debian's source has no bundled
# copy); its rspec specs in spec/ffi, which compile their own C fixtures.
. "$(dirname "$0")/lib"
ECO_RUNTIME=ruby ECO_RECIPE=third-party/ruby-ffi-1.17.0
ECO_TESTS="rspec spec/ffi (all)"
ECO_FORMAT=rspec
ECO_TOOLS=(third-party/ruby-rspec-core-3.13.0 third-party/ruby-rspec-expectations-3.13.0
  third-party/ruby-rspec-mocks-3.13.0 third-party/ruby-rspec-support-3.13.0 third-party/ruby-diff-lcs-1.5.1)
ECO_OBJECTS=('ffi_c\.so' 'libffi\.so\.8')

eco_build() {
  (cd ext/ffi_c && "$RUNTIME" extconf.rb --enable-system-libffi && make -j2 &&
    make install sitearchdir="$SRC/lib" sitelibdir="$SRC/lib")
}
eco_tests() {
  eco_ruby -Ilib -e 'require "rspec/core"; exit RSpec::Core::Runner.run(%w[--format documentation spec/ffi])'
}
eco_smoke() {
  eco_ruby -Ilib -e 'require "ffi"
    module C; extend FFI::Library; ffi_lib FFI::Library::LIBC; attach_function :strlen, [:string], :size_t; end
    p C.strlen("x" * 1000)'
}
eco_main
