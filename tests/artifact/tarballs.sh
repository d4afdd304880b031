#!/usr/bin/env bash
# The tarballs (make tarballs), as mise and uv users meet them, for the
# jemalloc variant of both runtimes (the private jemalloc must be found
# wherever the tree lands): unpacked into a random directory and moved,
# each runtime starts, finds its standard library and its own libraries,
# and passes tests/probes/verify-runtime (GC hook, a C extension built by
# its own gem / pip and loaded, jemalloc serving it); nothing names the
# build prefix; the oldest glibc stated is the newest symbol version its
# ELF files need. Real mise (npm's build, pinned in recipes/third-party)
# installs the Ruby tarball from a server on 127.0.0.1 through
# MISE_RUBY_PRECOMPILED_URL and runs it. uv cannot be installed here: its
# downloads list is checked against the fields uv reads
# (crates/uv-python/src/downloads.rs), and its entry is installed as uv
# does it (download, sha256, the top folder stripped, /install in
# _sysconfigdata replaced by the real prefix).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
make --no-print-directory -s tools >/dev/null
probe=$ROOT/out/tools/memlean-probe.so

serve_dir "$MEMLEAN_OUT/tarballs" || { fail "out/tarballs is served on 127.0.0.1"; finish; }
base=$SERVED_URL
out=$(MEMLEAN_TARBALL_URL=$base scripts/package/tarball-set "$RUBY_RECIPE:jemalloc" "$PYTHON_RECIPE:jemalloc" 2>&1) && rc=0 || rc=$?
expect "make tarballs (the jemalloc variants)" "$rc" 0
[ "$rc" -eq 0 ] || { echo "$out" | tail -n 15 | sed 's/^/  # /'; finish; }

# unpack TARBALL NAME: the tarball unpacked in a fresh random directory,
# its one top folder then moved elsewhere; prints the moved tree.
unpack() {
  local d top
  d=$(mktemp -d "$T_TMP/unpack.XXXXXX")
  tar -xzf "$1" -C "$d"
  top=$(ls -A "$d")
  [ "$(wc -l <<<"$top")" = 1 ] || { echo "more than one top folder in $1: $top" >&2; return 1; }
  [ "$top" = "$2" ] || { echo "top folder $top, expected $2" >&2; return 1; }
  mkdir -p "$T_TMP/moved"
  mv "$d/$top" "$T_TMP/moved/$(basename "$d")"
  echo "$T_TMP/moved/$(basename "$d")"
}

# common RUNTIME ID TARBALL TREE: the checks both runtimes share.
common() {
  local runtime=$1 id=$2 tarball=$3 tree=$4 info glibc
  info=$tarball.info
  check "$id: its .sha256 matches" bash -c "cd '$(dirname "$tarball")' && sha256sum --check --status '$tarball.sha256'"
  check "$id: no file names the build prefix" bash -c "! grep -rqF '$(build_path prefix "$( [ "$runtime" = ruby ] && echo "$RUBY_RECIPE" || echo "$PYTHON_RECIPE")" jemalloc)' '$tree'"
  glibc=$(sed -n 's/^GLIBC=//p' "$info")
  check "$id: the glibc it states ($glibc) is the newest its ELF files need" \
    bash -c "scripts/package/check-elf --glibc '$glibc' $runtime jemalloc '$tree' | grep -q 'need is GLIBC_$glibc '"
  check "$id: it states the system libraries it needs (libc among them)" grep -Eq '^SYSTEM_LIBRARIES=".*libc\.so\.6' "$info"
}

# --- Ruby, for mise ----------------------------------------------------------
load_recipe "$(recipe_path "$RUBY_RECIPE")"
ruby_id=$(build_path id "$RUBY_RECIPE" jemalloc)
platform=$(case $(build_arch) in amd64) echo x86_64_linux ;; arm64) echo arm64_linux ;; esac)
tarball=$MEMLEAN_OUT/tarballs/ruby/jemalloc/ruby-$R_VERSION.$platform.tar.gz
if tree=$(unpack "$tarball" "ruby-$R_VERSION" 2>"$T_TMP/unpack.err"); then
  pass "$ruby_id: one top folder, ruby-$R_VERSION, as mise expects"
  common ruby "$ruby_id" "$tarball" "$tree"
  expect "$ruby_id: moved, RbConfig's prefix is where it is" \
    "$("$tree/bin/ruby" -e 'print RbConfig::CONFIG["prefix"]' 2>&1)" "$tree"
  check "$ruby_id: its standard library and extensions load (openssl, psych, zlib, ripper, json)" \
    "$tree/bin/ruby" -ropenssl -rpsych -rzlib -rripper -rjson -e 'exit 0'
  check "$ruby_id: its jemalloc is the one beside it" \
    bash -c "'$tree/bin/ruby' -e 'print File.read(\"/proc/self/maps\")' | grep -q '$tree/lib/libjemalloc_memlean'"
  ln -s "$tree/bin/ruby" "$T_TMP/memlean-$ruby_id"
  out=$(tests/probes/verify-runtime "$T_TMP/memlean-$ruby_id" jemalloc "$probe" 2>&1) && rc=0 || rc=$?
  expect "$ruby_id: tests/probes/verify-runtime passes from the moved tree (GC hook, a gem's C extension, jemalloc serving it)" "$rc" 0
  [ "$rc" -eq 0 ] || grep -v '^ok:' <<<"$out" | head -n 10 | sed 's/^/  # /'
else
  fail "$ruby_id: one top folder, ruby-$R_VERSION, as mise expects" "$(cat "$T_TMP/unpack.err")"
fi

# Real mise installs it from the server, as an operator would with
# MISE_RUBY_PRECOMPILED_URL. It lists versions on the network before an
# install unless a lockfile pins them: the project's mise.lock says which
# version and options (what `mise lock` writes for these settings).
load_recipe "$(recipe_path third-party/mise-2026.9.15)"
if mise_tgz=$(scripts/build/fetch-source third-party/mise-2026.9.15 2>"$T_TMP/mise-fetch.err"); then
  expect "mise: the npm package has the registry's integrity" \
    "sha512-$(openssl dgst -sha512 -binary "$mise_tgz" | base64 -w0)" "$R_NPM_INTEGRITY"
  mkdir -p "$T_TMP/mise" "$T_TMP/project"
  tar -xzf "$mise_tgz" -C "$T_TMP/mise" package/bin/mise
  url="$base/ruby/jemalloc/ruby-{version}.{platform}.tar.gz"
  load_recipe "$(recipe_path "$RUBY_RECIPE")"
  printf '[tools]\nruby = "%s"\n' "$R_VERSION" >"$T_TMP/project/mise.toml"
  cat >"$T_TMP/project/mise.lock" <<EOF
[[tools.ruby]]
version = "$R_VERSION"
backend = "core:ruby"

[tools.ruby.options]
compile = "false"
precompiled_url = "$url"
ruby_build_repo = "https://github.com/rbenv/ruby-build.git"
ruby_install = "false"
EOF
  mise_env=(HOME="$T_TMP/mise/home" MISE_DATA_DIR="$T_TMP/mise/data" MISE_CONFIG_DIR="$T_TMP/mise/config"
    MISE_CACHE_DIR="$T_TMP/mise/cache" MISE_STATE_DIR="$T_TMP/mise/state" MISE_YES=1 MISE_USE_VERSIONS_HOST=0
    MISE_RUBY_COMPILE=false MISE_RUBY_PRECOMPILED_URL="$url" NO_PROXY=127.0.0.1 no_proxy=127.0.0.1)
  mise=$T_TMP/mise/package/bin/mise
  out=$(cd "$T_TMP/project" && env "${mise_env[@]}" timeout 120 "$mise" install 2>&1) && rc=0 || rc=$?
  expect "mise install ruby@$R_VERSION from $url" "$rc" 0
  [ "$rc" -eq 0 ] || tail -n 5 <<<"$out" | sed 's/^/  # /'
  check "mise downloaded our tarball from the server" grep -q "GET /ruby/jemalloc/ruby-$R_VERSION.$platform.tar.gz HTTP/1.1\" 200" "$T_TMP/http.log"
  out=$(cd "$T_TMP/project" && env "${mise_env[@]}" timeout 60 "$mise" exec -- ruby -e 'print RUBY_DESCRIPTION, "|", RbConfig::CONFIG["prefix"]' 2>&1) || true
  expect "mise exec runs our Ruby, the jemalloc variant, from mise's own folder" \
    "$out" "$("$tree/bin/ruby" -e 'print RUBY_DESCRIPTION')|$T_TMP/mise/data/installs/ruby/$R_VERSION"
else
  fail "mise is fetched from the npm registry (scripts/build/fetch-source third-party/mise-2026.9.15)" "$(cat "$T_TMP/mise-fetch.err")"
fi

# --- CPython, for uv ---------------------------------------------------------
load_recipe "$(recipe_path "$PYTHON_RECIPE")"
py_id=$(build_path id "$PYTHON_RECIPE" jemalloc)
triple=$(case $(build_arch) in amd64) echo x86_64-unknown-linux-gnu ;; arm64) echo aarch64-unknown-linux-gnu ;; esac)
tarball=$MEMLEAN_OUT/tarballs/python/jemalloc/cpython-$R_VERSION+$R_PACKAGE_REVISION-$triple-install_only.tar.gz
if tree=$(unpack "$tarball" python 2>"$T_TMP/unpack.err"); then
  pass "$py_id: one top folder, python/, as python-build-standalone's install_only"
  common python "$py_id" "$tarball" "$tree"
  py=$tree/bin/python$R_SERIES
  expect "$py_id: moved, sys.prefix is where it is; sysconfig's recorded prefix is /install (uv rewrites it)" \
    "$("$py" -c 'import sys, sysconfig; print(sys.prefix, sysconfig.get_config_var("prefix"))' 2>&1)" "$tree /install"
  check "$py_id: its standard library and extension modules load (ssl, sqlite3, ctypes, decimal, lzma, bz2, zlib, readline)" \
    "$py" -c 'import ssl, sqlite3, ctypes, decimal, lzma, bz2, zlib, readline'
  check "$py_id: its jemalloc is the one beside it" \
    bash -c "'$py' -c 'print(open(\"/proc/self/maps\").read())' | grep -q '$tree/lib/libjemalloc_memlean'"
  check "$py_id: pip starts through the python beside it, wherever the tree is" "$tree/bin/pip3" --version
else
  fail "$py_id: one top folder, python/, as python-build-standalone's install_only" "$(cat "$T_TMP/unpack.err")"
fi

# uv's downloads list: the fields uv reads, of the types it wants, each
# entry's file served and matching its sha256.
json=$MEMLEAN_OUT/tarballs/python/jemalloc/download-metadata.json
check "uv's list ($json) is JSON, an object of entries" jq -e 'type == "object" and length >= 1' "$json"
entry=$(jq -c --arg v "$R_VERSION" 'to_entries[] | select(.value.major == ($v | split(".")[0] | tonumber) and .value.minor == ($v | split(".")[1] | tonumber) and .value.patch == ($v | split(".")[2] | tonumber)) | .value' "$json" | head -n 1)
check "uv's list: the $R_VERSION entry has uv's required fields, of uv's types" jq -e '
  (.name == "cpython") and (.arch.family | type == "string") and ((.arch.variant == null) or (.arch.variant | type == "string"))
  and (.os == "linux") and (.libc == "gnu") and ([.major, .minor, .patch] | all(type == "number"))
  and (.prerelease == "") and (.url | test("^https?://.*\\.tar\\.gz$")) and (.sha256 | test("^[0-9a-f]{64}$"))
  and (.variant == null) and (.build | type == "string")' <<<"${entry:-null}"
expect "uv's list: its arch is this machine's" "$(jq -r .arch.family <<<"${entry:-null}")" "${triple%%-*}"
url=$(jq -r .url <<<"${entry:-null}")
if curl -sf -o "$T_TMP/uv-download.tar.gz" "$url"; then
  expect "uv's list: the file at its url has its sha256" "$(sha256sum "$T_TMP/uv-download.tar.gz" | cut -d' ' -f1)" "$(jq -r .sha256 <<<"$entry")"
  # What uv does with it: strip the top folder, replace /install in
  # _sysconfigdata with where it installed the tree.
  install=$T_TMP/uv/cpython-$R_VERSION-linux-${triple%%-*}-gnu
  mkdir -p "$install"
  tar -xzf "$T_TMP/uv-download.tar.gz" -C "$install" --strip-components=1
  sysconfigdata=$(find "$install/lib/python$R_SERIES" -maxdepth 1 -name '_sysconfigdata_*.py' ! -type l)
  check "uv's install: lib/python$R_SERIES has the _sysconfigdata_ file uv rewrites" test -n "$sysconfigdata"
  sed -i "s|\\([\"' ]\\)/install|\\1$install|g" "$sysconfigdata"
  expect "uv's install: sysconfig then names where uv put it" \
    "$("$install/bin/python$R_SERIES" -c 'import sysconfig; print(sysconfig.get_config_var("prefix"), sysconfig.get_config_var("LIBDIR"))' 2>&1)" "$install $install/lib"
  ln -s "$install/bin/python$R_SERIES" "$T_TMP/memlean-$py_id"
  out=$(tests/probes/verify-runtime "$T_TMP/memlean-$py_id" jemalloc "$probe" 2>&1) && rc=0 || rc=$?
  expect "$py_id: tests/probes/verify-runtime passes where uv installed it (GC hook, a pip-built C extension, jemalloc serving it)" "$rc" 0
  [ "$rc" -eq 0 ] || grep -v '^ok:' <<<"$out" | head -n 10 | sed 's/^/  # /'
else
  fail "uv's list: its url ($url) is served"
fi

check_error "package-tarball: a stage that is not built is one error line" 'no built stage .*ruby-0.0.1' scripts/package/package-tarball ruby-0.0.1
check_error "tarball-set: a base URL that is not http(s) is one error line" "is not an http\\(s\\) or file URL; set TARBALL_URL" \
  env MEMLEAN_TARBALL_URL=ftp://example.org scripts/package/tarball-set "$RUBY_RECIPE:jemalloc"
check_error "tarball-set: an unknown variant is one error line" "unknown variant 'fancy'" scripts/package/tarball-set "$RUBY_RECIPE:fancy"

# What is not written: a tarball whose files still name the build prefix,
# or whose ELF files fail packaging/elf-policy (a copy of the Ruby stage,
# hard links, in a scratch out/, with one bad file each time). A link into
# the prefix becomes relative.
load_recipe "$(recipe_path "$RUBY_RECIPE")"
scratch=$T_TMP/out
mkdir -p "$scratch/stage"
cp -al "$MEMLEAN_OUT/stage/$ruby_id" "$scratch/stage/"
prefix=$(build_path prefix "$RUBY_RECIPE" jemalloc)
lib=$scratch/stage/$ruby_id$prefix/lib
printf 'data\0%s/lib\0' "$prefix" >"$lib/notes.dat"
ln -s "$prefix/lib/libruby.so.$R_SERIES" "$lib/libruby-link.so"
out=$(MEMLEAN_OUT=$scratch scripts/package/package-tarball "$ruby_id" 2>&1) && rc=0 || rc=$?
expect "package-tarball: a binary file naming the build prefix stops it" "$rc" 1
check "naming the file" grep -q 'notes.dat: a binary file that is not ELF holds the prefix' <<<"$out"
rm "$lib/notes.dat"
printf 'int f(void) { return 1; }\n' >"$T_TMP/bad.c"
gcc -shared -fPIC -Wl,-z,relro,-z,now,-z,execstack -o "$lib/bad-stack.so" "$T_TMP/bad.c"
out=$(MEMLEAN_OUT=$scratch scripts/package/package-tarball "$ruby_id" 2>&1) && rc=0 || rc=$?
check "package-tarball: an ELF file that fails the policy stops it, named" grep -q '^check-elf: lib/bad-stack.so: asks for an executable stack' <<<"$out"
check "and no tarball is written" test -z "$(find "$scratch/tarballs" -name '*.tar.gz*' 2>/dev/null)"
rm "$lib/bad-stack.so"
out=$(MEMLEAN_OUT=$scratch scripts/package/package-tarball "$ruby_id" 2>&1) && rc=0 || rc=$?
expect "the same stage without them makes its tarball" "$rc" 0
expect "with the link into the prefix made relative" \
  "$(tar -tvzf "$scratch/tarballs/ruby/jemalloc/ruby-$R_VERSION.$platform.tar.gz" "ruby-$R_VERSION/lib/libruby-link.so" 2>&1 | sed 's/.* -> //')" \
  "libruby.so.$R_SERIES"
finish
