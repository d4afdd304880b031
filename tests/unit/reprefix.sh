#!/usr/bin/env bash
# tools/memlean-reprefix, which scripts/build/relocate uses to move the tiny
# line's build to the minor line's prefix: text files get the new prefix;
# an ELF program keeps its size and offsets and still runs, with the new
# prefix padded to the old length ("/." pairs) so it names the same
# directory; what cannot be rewritten safely is refused with one error line.
# And scripts/build/relocate's bad input.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
make --no-print-directory -s out/tools/memlean-reprefix >/dev/null
reprefix=$ROOT/out/tools/memlean-reprefix
old=/opt/memlean-test/3.3.8-jemalloc new=/opt/memlean-test/3.3-jemalloc
d=$T_TMP/files
mkdir -p "$d"

printf 'prefix=%s\nlibdir=%s/lib\nother=/opt/memlean-test/3.3.8\n' "$old" "$old" >"$d/ruby.pc"
chmod 0640 "$d/ruby.pc"
ln "$d/ruby.pc" "$d/hardlink.pc"
printf 'nothing to see\n' >"$d/plain.txt"
touch -d @1000000000 "$d/plain.txt"
cat >"$T_TMP/prog.c" <<EOF
#include <stdio.h>
static const char sysconfdir[] = "$old/etc";
static const char *tail = "/etc"; /* may be merged into the tail above */
int main(void) { printf("%s %s\\n", sysconfdir, tail); return 0; }
EOF
gcc -O2 -o "$d/prog" "$T_TMP/prog.c"
size=$(stat -c %s "$d/prog")

out=$("$reprefix" "$old" "$new" "$d/ruby.pc" "$d/plain.txt" "$d/prog" 2>&1) && rc=0 || rc=$?
expect "it rewrites the files that hold the prefix" "$rc" 0
expect "it reports each changed file with its count" "$(tr '\n' ' ' <<<"${out//$d\//}")" "ruby.pc: 2 prog: 1 "
expect "a text file gets the new prefix as it is" "$(cat "$d/ruby.pc")" \
  "$(printf 'prefix=%s\nlibdir=%s/lib\nother=/opt/memlean-test/3.3.8' "$new" "$new")"
expect "and keeps its mode" "$(stat -c %a "$d/ruby.pc")" 640
check "a hard link to the old file keeps the old bytes" grep -qx "prefix=$old" "$d/hardlink.pc"
expect "a file without the prefix is not touched" "$(stat -c %Y "$d/plain.txt")" 1000000000
expect "an ELF file keeps its size" "$(stat -c %s "$d/prog")" "$size"
expect "and runs, naming the new prefix padded to the old length" "$("$d/prog")" "$new/./etc /etc"
check "the padded path is the same directory" test "$(realpath -m "$new/./etc")" = "$new/etc"
check "readelf still reads it" readelf -h "$d/prog"

printf '\177ELFx%s-variant\0' "$old" >"$d/name.elf"
check_error "an ELF prefix followed by a name character is refused" 'name.elf: the prefix is followed by another name character' \
  "$reprefix" "$old" "$new" "$d/name.elf"
printf 'x\0%s\0' "$old" >"$d/code.pyc"
check_error "a binary file that is not ELF is refused" 'code.pyc: a binary file that is not ELF holds the prefix' \
  "$reprefix" "$old" "$new" "$d/code.pyc"
check "and left as it was" grep -qaF "$old" "$d/code.pyc"
check_error "a longer new prefix is refused" 'must not be empty nor longer' "$reprefix" "$new" "$old" "$d/ruby.pc"
check_error "a relative prefix is refused" 'must be absolute' "$reprefix" "$old" "opt/x" "$d/ruby.pc"
check_error "a missing file is one error line" 'missing: cannot open' "$reprefix" "$old" "$new" "$d/missing"
rc=0; "$reprefix" "$old" "$new" 2>"$T_TMP/usage" || rc=$?
check "no file: a usage line" bash -c "[ $rc = 1 ] && grep -q '^usage: memlean-reprefix OLD NEW FILE' '$T_TMP/usage'"
check "no temporary file is left behind" bash -c "! ls '$d' | grep -q reprefix-tmp"

export MEMLEAN_OUT=$T_TMP/out
check_error "relocate: a stage that was not built is one error line" 'no built stage .*ruby-9.9.9' \
  scripts/build/relocate ruby-9.9.9 ruby-9.9 /usr/lib/memlean/ruby/9.9
mkdir -p "$MEMLEAN_OUT/stage/ruby-9.9.9" "$MEMLEAN_OUT/debug/ruby-9.9.9"
printf 'NAME=ruby\nPREFIX=/usr/lib/memlean/ruby/9.9.9\nSOURCE_DATE_EPOCH=1\n' >"$MEMLEAN_OUT/stage/ruby-9.9.9/.memlean-build"
check_error "relocate: a prefix that is not a sibling is refused" 'is not beside /usr/lib/memlean/ruby/9.9.9' \
  scripts/build/relocate ruby-9.9.9 ruby-9.9 /opt/ruby/9.9
check_error "relocate: a longer prefix is refused" 'is longer than' \
  scripts/build/relocate ruby-9.9.9 ruby-9.9 /usr/lib/memlean/ruby/9.9.9-longer
check "relocate: nothing is left for a later run to trust" test ! -e "$MEMLEAN_OUT/stage/ruby-9.9"

# relocate on a small stage: a program (split debug info, as scripts/build/build-one
# leaves it) and a text file that record the prefix.
tiny=/usr/lib/memlean/ruby/9.9.9 stage=$MEMLEAN_OUT/stage/ruby-9.9.9
mkdir -p "$stage$tiny/bin" "$stage$tiny/lib/pkgconfig"
sed "s|$old|$tiny|" "$T_TMP/prog.c" >"$T_TMP/prog9.c"
gcc -g -O2 -Wl,--build-id -o "$stage$tiny/bin/prog" "$T_TMP/prog9.c"
printf 'prefix=%s\n' "$tiny" >"$stage$tiny/lib/pkgconfig/ruby.pc"
scripts/build/split-debug "$stage" "$MEMLEAN_OUT/debug/ruby-9.9.9" seed >/dev/null
printf 'NAME=ruby\nVERSION=9.9.9\nLINE=tiny\nID=ruby-9.9.9\nPREFIX=%s\nSOURCE_DATE_EPOCH=1\nBUILD_TREE=ruby-9.9.9\n' "$tiny" >"$stage/.memlean-build"
build_id_of() { readelf -n "$1" | sed -n 's/^ *Build ID: *//p'; }
before=$(build_id_of "$stage$tiny/bin/prog")
minor=/usr/lib/memlean/ruby/9.9 moved=$MEMLEAN_OUT/stage/ruby-9.9
check "relocate moves a stage" env MEMLEAN_STAMP=stamp-of-inputs scripts/build/relocate ruby-9.9.9 ruby-9.9 "$minor"
expect "the program runs from the new prefix's tree and names it" "$("$moved$minor/bin/prog")" "$minor/./etc /etc"
expect "a text file names the new prefix" "$(cat "$moved$minor/lib/pkgconfig/ruby.pc")" "prefix=$minor"
after=$(build_id_of "$moved$minor/bin/prog")
check "the program has a new build id ($before -> $after)" test -n "$after" -a "$after" != "$before"
dbg=$MEMLEAN_OUT/debug/ruby-9.9/usr/lib/debug/.build-id/${after:0:2}/${after:2}.debug
expect "its debug file lies at the new build id and carries it" "$(build_id_of "$dbg" 2>/dev/null)" "$after"
expect "the built stage keeps its build id" "$(build_id_of "$stage$tiny/bin/prog")" "$before"
gdb_says=$(gdb -batch -nx -iex "set debug-file-directory $MEMLEAN_OUT/debug/ruby-9.9/usr/lib/debug" \
  -ex 'info line main' "$moved$minor/bin/prog" 2>&1 || true)
check "gdb finds the debug file by the new build id (line info of main)" grep -q 'prog9.c' <<<"$gdb_says"
expect "the stage says what it is (ID, PREFIX, LINE, BUILD_TREE)" \
  "$(grep -E '^(ID|PREFIX|LINE|BUILD_TREE)=' "$moved/.memlean-build" | tr '\n' ' ')" \
  "LINE=minor ID=ruby-9.9 PREFIX=$minor BUILD_TREE=ruby-9.9.9 "
expect "and carries the stamp it was given" "$(cat "$moved/.memlean-stamp")" stamp-of-inputs
check "no temporary tree is left" test ! -e "$moved.tmp" -a ! -e "$MEMLEAN_OUT/debug/ruby-9.9.tmp"
finish
