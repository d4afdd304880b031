#!/usr/bin/env bash
# The packaging helpers on fixtures (scripts/lib/package.sh) and the
# packaging scripts' errors on bad input: one line each.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
# shellcheck source=scripts/lib/package.sh
. "$ROOT/scripts/lib/package.sh"

# fill_template
printf 'a @ONE@ b @TWO_2@\nplain\n' >"$T_TMP/t.in"
# shellcheck disable=SC2034 # read by fill_template
T_ONE=1 T_TWO_2='x/&y'
expect "fill_template replaces every @KEY@, whatever the value holds" "$(fill_template "$T_TMP/t.in")" $'a 1 b x/&y\nplain'
printf 'top\n@BLOCK@\n@NOTHING@\n  @BLOCK@ inline\nend\n' >"$T_TMP/block.in"
# shellcheck disable=SC2034 # read by fill_template
T_BLOCK=$'  one\n  two' T_NOTHING=''
expect "a line that is only @KEY@ becomes the value's lines, none when it is empty" \
  "$(fill_template "$T_TMP/block.in")" $'top\n  one\n  two\n    one\n  two inline\nend'
printf '@MISSING@\n' >"$T_TMP/bad.in"
check_error "fill_template names a placeholder without a value" '@MISSING@ has no value' \
  bash -c ". '$ROOT/scripts/lib.sh'; . '$ROOT/scripts/lib/package.sh'; fill_template '$T_TMP/bad.in'"

# Scripts under a prefix: the deb drops +x of library scripts, the rpm
# points them at its own interpreter.
p=$T_TMP/prefix
mkdir -p "$p/bin" "$p/lib/gems/x/exe"
printf '#!/usr/bin/env ruby\nputs 1\n' >"$p/lib/gems/x/exe/tool"
printf '#! /usr/bin/python3 -E\n' >"$p/lib/mod.py"
printf '#!/bin/sh\necho\n' >"$p/lib/helper"
printf '#!/usr/bin/env ruby\n' >"$p/bin/tool"
printf '#!/usr/bin/env ruby\n' >"$p/lib/plain.rb"
chmod 755 "$p/lib/gems/x/exe/tool" "$p/lib/mod.py" "$p/lib/helper" "$p/bin/tool"
cp -a "$p" "$T_TMP/rpm-prefix"
unexec_library_scripts "$p"
expect "deb: library scripts naming ruby or python lose +x; bin/ and sh scripts keep it" \
  "$(cd "$p" && find . -type f -perm /111 | sort | tr '\n' ' ')" "./bin/tool ./lib/helper "
# shellcheck disable=SC2034 # read by mangle_shebangs
B_PREFIX=/usr/lib/memlean/ruby/3.3.8 P_EXE=ruby
mangle_shebangs "$T_TMP/rpm-prefix"
expect "rpm: an executable env-ruby script runs the package's ruby" \
  "$(head -n 1 "$T_TMP/rpm-prefix/lib/gems/x/exe/tool")" "#!/usr/lib/memlean/ruby/3.3.8/bin/ruby"
expect "rpm: arguments after the interpreter stay" "$(head -n 1 "$T_TMP/rpm-prefix/lib/mod.py")" "#!/usr/lib/memlean/ruby/3.3.8/bin/ruby -E"
expect "rpm: sh scripts and non-executable files are left alone" \
  "$(head -n 1 "$T_TMP/rpm-prefix/lib/helper") $(head -n 1 "$T_TMP/rpm-prefix/lib/plain.rb")" "#!/bin/sh #!/usr/bin/env ruby"

# unexec_non_programs: what can be run keeps +x (ELF, #! scripts), the rest
# (a module shipped 0755) loses it.
n=$T_TMP/nonprog
mkdir -p "$n/lib/pip"
printf 'import sys\n' >"$n/lib/pip/__init__.py"
printf '#!/bin/sh\n' >"$n/lib/run"
cp /bin/true "$n/lib/prog"
: >"$n/lib/empty"
chmod 755 "$n/lib/pip/__init__.py" "$n/lib/run" "$n/lib/prog" "$n/lib/empty"
unexec_non_programs "$n"
expect "a file that is neither ELF nor a #! script loses +x; programs and scripts keep it" \
  "$(cd "$n" && find . -type f -perm /111 | sort | tr '\n' ' ')" "./lib/prog ./lib/run "

# hardlink_bytecode
c=$T_TMP/pyc/__pycache__
mkdir -p "$c"
echo same >"$c/a.cpython-313.pyc"; echo same >"$c/a.cpython-313.opt-1.pyc"; echo same >"$c/a.cpython-313.opt-2.pyc"
echo one >"$c/b.cpython-313.pyc"; echo two >"$c/b.cpython-313.opt-1.pyc"
hardlink_bytecode "$T_TMP/pyc"
expect "identical optimized byte-code becomes hard links, different stays apart" \
  "$(stat -c %h "$c/a.cpython-313.pyc") $(stat -c %h "$c/b.cpython-313.opt-1.pyc")" "3 1"

# Bad input to the scripts.
check_error "an unknown distro lists the known ones" "unknown distro 'debian-99' \(expected one of: .*debian-12" \
  bash -c ". '$ROOT/scripts/lib.sh'; load_distro debian-99"
check_error "make-root refuses a distro it cannot bootstrap" "el-9 has no Debian mirror" "$ROOT/scripts/env/make-root" el-9 "$T_TMP/root"
check_error "build names an unknown line" "unknown line 'major'" "$ROOT/scripts/build/build-one" ruby/3.3.8 normal major
check_error "package-set names the lines a cell may ask for" "lines 'major' \(expected tiny, tiny\+minor or minor\)" "$ROOT/scripts/package/package-set" debian-12 ruby/3.3.8:normal:major
check_error "package-deb names a stage that was not built" "no built stage .*/stage/ruby-9.9.9" \
  env MEMLEAN_OUT="$T_TMP/out" "$ROOT/scripts/package/package-deb" ruby-9.9.9
check_error "package-rpm names a stage that was not built" "no built stage .*/stage/ruby-9.9.9" \
  env MEMLEAN_OUT="$T_TMP/out" "$ROOT/scripts/package/package-rpm" ruby-9.9.9
check_error "packages refuses an unknown format" "unknown package format 'apk'" \
  env MEMLEAN_FORMATS=apk "$ROOT/scripts/package/package-one" ruby/3.3.8 normal
check_error "make publish without a key says how to give one" "SIGNING_KEY not set" make -s -C "$ROOT" publish SIGNING_KEY=

finish
