#!/usr/bin/env bash
# The part of the compatibility suite (make test-ecosystem) that fits in
# make test: bcrypt's rspec specs (Ruby) and PyYAML's suite over libyaml
# (CPython), each built with and run on every variant, the jemalloc
# variant's allocator check included (tests/ecosystem/).
set -Eeuo pipefail
rc=0
for package in ruby-bcrypt python-pyyaml; do
  "$(dirname "$0")/../ecosystem/$package.sh" || rc=1
done
exit "$rc"
