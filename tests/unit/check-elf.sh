#!/usr/bin/env bash
# scripts/package/check-elf, on small trees built here: a tree built with
# the hardening flags passes and names the newest glibc symbol version it
# needs; each file that breaks one rule of packaging/elf-policy gets its
# own line naming it and what it breaks, and the check fails. And the glibc
# each distro ships (ci/distros/*/distro GLIBC) is this machine's, for its
# own distro.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
load_distro "$(host_distro)"
check_elf=$ROOT/scripts/package/check-elf
src=$T_TMP/src
mkdir -p "$src"
cat >"$src/lib.c" <<'EOF'
#include <string.h>
int ruby_copy(char *out, const char *in) { char buf[16]; strcpy(buf, in); memcpy(out, buf, 16); return (int)strlen(buf); }
EOF
cat >"$src/main.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) { (void)argv; printf("%d\n", argc); return 0; }
EOF
read -ra hard_c <<<"-O2 -fPIC $MEMLEAN_HARDENING_CFLAGS"
read -ra hard_ld <<<"$MEMLEAN_HARDENING_LDFLAGS"
# tree NAME: a runtime-like tree, built with the hardening flags: a PIE
# executable and libruby.so.3.3 (the file the policy wants fortified).
tree() {
  local t=$T_TMP/$1
  mkdir -p "$t/bin" "$t/lib"
  gcc "${hard_c[@]}" -shared -Wl,-soname,libruby.so.3.3 "${hard_ld[@]}" -o "$t/lib/libruby.so.3.3" "$src/lib.c"
  gcc -O2 -fPIE -pie "${hard_ld[@]}" -o "$t/bin/ruby" "$src/main.c"
  printf 'not ELF\n' >"$t/lib/notes.so"
  echo "$t"
}
# lines_for OUTPUT FILE: how many lines of OUTPUT name FILE.
lines_for() { grep -c "^check-elf: $2:" <<<"$1" || true; }

good=$(tree good)
out=$("$check_elf" --glibc "$D_GLIBC" ruby normal "$good" 2>&1) && rc=0 || rc=$?
expect "a hardened tree passes" "$rc" 0
check "and the line names the count and the newest glibc symbol version" grep -Eq 'check-elf: 2 ELF files under .* pass; the newest glibc symbol they need is GLIBC_2\.[0-9]+' <<<"$out"

# offender NAME RULE LINE GCC-ARGS...: a tree with one bad file (built by
# the gcc arguments, into FILE), which must fail with one line naming it.
offender() {
  local name=$1 file=$2 pattern=$3 t out rc=0
  shift 3
  t=$(tree "$name")
  gcc "$@" -o "$t/$file"
  out=$("$check_elf" ruby normal "$t" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ] && [ "$(grep -vc 'error:' <<<"$out")" -eq 1 ] && grep -Eq "^check-elf: $file: .*$pattern" <<<"$out" &&
    grep -q 'error: 1 of 3 ELF files' <<<"$out"; then
    pass "$name: one line, naming $file"
  else
    fail "$name: one line, naming $file, matching /$pattern/" "$out"
  fi
}
offender "an executable stack" lib/libx.so 'asks for an executable stack' \
  "${hard_c[@]}" -shared "${hard_ld[@]}" -Wl,-z,execstack "$src/lib.c"
offender "no RELRO" lib/libx.so 'no RELRO segment' \
  "${hard_c[@]}" -shared -Wl,-z,norelro -Wl,-z,now "$src/lib.c"
offender "lazy binding" lib/libx.so 'binds lazily' \
  "${hard_c[@]}" -shared -Wl,-z,relro -Wl,-z,lazy "$src/lib.c"
offender "a position-dependent executable" bin/irb 'not position-independent' \
  -O2 -fno-pie -no-pie "${hard_ld[@]}" "$src/main.c"
cat >"$src/wx.c" <<'EOF'
__asm__(".section .wx,\"awx\",@progbits\n.byte 0\n.previous");
int f(void) { return 1; }
EOF
offender "a writable and executable segment" lib/libx.so 'writable and executable segment' \
  "${hard_c[@]}" -shared "${hard_ld[@]}" -Wl,--no-warn-rwx-segments "$src/wx.c"
cat >"$src/textrel.c" <<'EOF'
int counter;
int *where(void) { return &counter; }
EOF
offender "text relocations" lib/libx.so 'text relocations' \
  -O2 -fno-pic -mcmodel=large -shared "${hard_ld[@]}" -Wl,-z,notext "$src/textrel.c"

t=$(tree needs)
gcc "${hard_c[@]}" -shared -Wl,-soname,libjemalloc_memlean.so.2 "${hard_ld[@]}" -o "$t/lib/libjemalloc_memlean.so.2" "$src/lib.c"
gcc "${hard_c[@]}" -shared "${hard_ld[@]}" -o "$t/lib/ext.so" "$src/lib.c" -L"$t/lib" -Wl,--no-as-needed -l:libjemalloc_memlean.so.2 -lz
check "jemalloc's library is allowed in the jemalloc variant" "$check_elf" ruby jemalloc "$t"
out=$("$check_elf" ruby normal "$t" 2>&1) && rc=0 || rc=$?
check "and not in another one: the file that needs it is named" grep -q "^check-elf: lib/ext.so: needs libjemalloc_memlean.so.2, which ruby's normal variant may not" <<<"$out"
gcc "${hard_c[@]}" -shared "${hard_ld[@]}" -o "$t/lib/ext.so" "$src/lib.c" -L"$t/lib" -Wl,--no-as-needed -l:libjemalloc_memlean.so.2 -lz
gcc "${hard_c[@]}" -shared -Wl,-soname,libtinfo.so.6 "${hard_ld[@]}" -o "$t/lib/libtinfo.so.6" "$src/lib.c"
gcc "${hard_c[@]}" -shared "${hard_ld[@]}" -o "$t/lib/readline.so" "$src/lib.c" -L"$t/lib" -Wl,--no-as-needed -l:libtinfo.so.6
out=$("$check_elf" ruby jemalloc "$t" 2>&1) && rc=0 || rc=$?
check "a library outside Ruby's list is named, with the file that needs it" grep -q "^check-elf: lib/readline.so: needs libtinfo.so.6, which ruby's jemalloc variant may not" <<<"$out"
check "CPython's list has it" "$check_elf" python jemalloc "$t"

t=$(tree unfortified)
gcc -O2 -fPIC -fno-stack-protector -U_FORTIFY_SOURCE -shared -Wl,-soname,libruby.so.3.3 "${hard_ld[@]}" -o "$t/lib/libruby.so.3.3" "$src/lib.c"
out=$("$check_elf" ruby normal "$t" 2>&1) && rc=0 || rc=$?
check "the interpreter's library without _FORTIFY_SOURCE fails" grep -q '^check-elf: lib/libruby.so.3.3: calls no fortified libc function' <<<"$out"
check "and without a stack protector, in the same line" grep -q '^check-elf: lib/libruby.so.3.3: .*; has no stack protector' <<<"$out"
expect "one line for the file" "$(lines_for "$out" lib/libruby.so.3.3)" 1
gcc -O2 -fPIC -fno-stack-protector -U_FORTIFY_SOURCE -shared "${hard_ld[@]}" -o "$t/lib/other.so" "$src/lib.c"
rm "$t/lib/libruby.so.3.3"
check "another file need not be fortified" "$check_elf" ruby normal "$t"

out=$("$check_elf" --glibc 2.2 ruby normal "$good" 2>&1) && rc=0 || rc=$?
check "a glibc symbol newer than the floor fails, naming the file and the version" \
  grep -Eq '^check-elf: bin/ruby: needs GLIBC_2\.[0-9.]+, newer than the floor 2\.2$' <<<"$out"
check_error "a floor that is not a version is one error line" '--glibc needs a version like 2.36' "$check_elf" --glibc latest ruby normal "$good"
check_error "a tree without ELF files is one error line" 'no ELF file under' "$check_elf" ruby normal "$src"
check_error "an unknown variant is one error line" "unknown variant 'fancy'" "$check_elf" ruby fancy "$good"

expect "ci/distros: this distro's GLIBC is the glibc here" "$D_GLIBC" "$(getconf GNU_LIBC_VERSION | sed 's/^glibc //')"
finish
