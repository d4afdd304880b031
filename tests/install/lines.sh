#!/usr/bin/env bash
# The minor line is the tiny line's build moved (scripts/build/relocate), not a
# second build: for every variant of both default recipes, the minor stage
# holds the same files, none of which (byte-code aside) still names the
# tiny prefix; every ELF file has a build id of its own with its debug file
# there; and, run from its install prefix (tests/probes/installed), the
# runtime reports the minor prefix wherever it records one: RbConfig, gem
# env, Etc.sysconfdir; sys.prefix, sysconfig, python3-config, pip's #! line,
# and the byte-code of the rewritten _sysconfigdata is valid for its source.
# (apt.sh installs the minor packages and builds extensions with them.)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# relative_files DIR: the paths under DIR, sorted.
relative_files() { (cd "$1" && find . -printf '%y %p\n' | sort); }
build_ids() { # ROOT: "path id" for every ELF file under ROOT
  local f notes
  while IFS= read -r -d '' f; do
    notes=$(readelf -n "$f")
    printf '%s %s\n' "${f#"$1"}" "$(sed -n 's/^ *Build ID: *//p' <<<"$notes")"
  done < <(elf_files "$1")
}

for recipe in "$RUBY_RECIPE" "$PYTHON_RECIPE"; do
  load_recipe "$(recipe_path "$recipe")"
  for v in $MEMLEAN_VARIANTS; do
    tiny_id=$(build_id "$R_NAME" "$R_VERSION" "$v") id=$(build_id "$R_NAME" "$R_SERIES" "$v")
    tiny=$(install_prefix "$R_NAME" "$R_VERSION" "$v") prefix=$(install_prefix "$R_NAME" "$R_SERIES" "$v")
    stage=$MEMLEAN_OUT/stage/$id
    [ -f "$stage/.memlean-build" ] || { fail "$id is derived (make packages)"; continue; }
    expect "$id: derived from $tiny_id's build" "$(sed -n 's/^BUILD_TREE=//p' "$stage/.memlean-build")" "$tiny_id"
    expect "$id: the same files as $tiny_id" "$(relative_files "$stage$prefix")" \
      "$(relative_files "$MEMLEAN_OUT/stage/$tiny_id$tiny")"
    left=$(grep -rlF -- "$tiny" "$stage" | grep -v '\.pyc$' | head -n 3 || true)
    expect "$id: no file names $tiny any more" "$left" ""
    mapfile -t ours < <(build_ids "$stage$prefix")
    theirs=$(build_ids "$MEMLEAN_OUT/stage/$tiny_id$tiny")
    same=0 nodebug=0
    for line in "${ours[@]}"; do
      read -r path bid <<<"$line"
      grep -qxF "$path $bid" <<<"$theirs" && same=$((same + 1))
      [ -f "$MEMLEAN_OUT/debug/$id/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug" ] || nodebug=$((nodebug + 1))
    done
    check "$id: ${#ours[@]} ELF files, each with a build id of its own and its debug file there ($same shared, $nodebug without)" \
      test "${#ours[@]}" -gt 0 -a "$same" = 0 -a "$nodebug" = 0

    run=("$ROOT/tests/probes/installed" "$stage")
    if [ "$R_NAME" = ruby ]; then
      said=$("${run[@]}" "$prefix/bin/ruby" -retc -e 'puts RbConfig::CONFIG["prefix"], Gem.dir, File.expand_path(Etc.sysconfdir)' 2>&1 | tr '\n' ' ')
      expect "$id: RbConfig prefix, Gem.dir and Etc.sysconfdir name $prefix" "$said" \
        "$prefix $prefix/lib/ruby/gems/$(sed -n 's/^ *CONFIG\["ruby_version"\] = "\(.*\)"$/\1/p' "$(find "$stage$prefix/lib/ruby" -name rbconfig.rb)") $prefix/etc "
      check "$id: gem env's installation directory is under $prefix" \
        bash -c "'${run[0]}' '${run[1]}' '$prefix/bin/gem' env | grep -q 'INSTALLATION DIRECTORY: $prefix/'"
    else
      py=$prefix/bin/python$R_SERIES
      said=$("${run[@]}" "$py" -c '
import sys, sysconfig
print(sys.prefix, sysconfig.get_config_var("prefix"), sysconfig.get_config_var("LIBDIR"), sysconfig.get_paths()["purelib"])' 2>&1)
      expect "$id: sys.prefix, sysconfig's prefix, LIBDIR and purelib name $prefix" "$said" \
        "$prefix $prefix $prefix/lib $prefix/lib/python$R_SERIES/site-packages"
      expect "$id: python$R_SERIES-config --prefix" "$("${run[@]}" "$prefix/bin/python$R_SERIES-config" --prefix 2>&1)" "$prefix"
      expect "$id: pip's #! line runs this interpreter" "$(head -n 1 "$stage$prefix/bin/pip3")" "#!$py"
      check "$id: the rewritten _sysconfigdata's byte-code is valid for its source" "${run[@]}" "$py" -c '
import glob, importlib.util, sys, sysconfig
src = glob.glob(sysconfig.get_path("stdlib") + "/_sysconfigdata_*.py")[0]
pycs = glob.glob(sysconfig.get_path("stdlib") + "/__pycache__/_sysconfigdata_*.pyc")
want = importlib.util.source_hash(open(src, "rb").read())
assert pycs and all(open(p, "rb").read()[8:16] == want for p in pycs), (src, pycs)'
    fi
  done
done
finish
