#!/usr/bin/env bash
# make matrix on a Debian release other than this machine's, as maintainers
# run it: one cell of debian-13 (Ruby 3.3.8 jemalloc, a superseded release,
# so the tiny package only) is built in its debian-13 build root (reused
# from make packages), published to the test repository, installed in a
# clean debian-13 root and verified by the probes.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

out=$(make --no-print-directory matrix DISTRO=debian-13 CELLS=ruby/3.3.8:jemalloc 2>&1) && rc=0 || rc=$?
expect "make matrix DISTRO=debian-13 CELLS=ruby/3.3.8:jemalloc succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out" | tail -n 15 | sed 's/^/  # /'
check "it built, installed and verified the one cell" grep -q 'debian-13: 1 cells built, packaged, installed and verified' <<<"$out"
check "it says the arm64 cell needs a native machine" grep -q '1 cells of other arches need a native machine' <<<"$out"
check "the install log has the probes' checks" grep -q '^ok: memlean-ruby-3.3.8-jemalloc: jemalloc serves every allocation' out/logs/matrix/debian-13-install.log
finish
