#!/usr/bin/env bash
# A variant's configure starts from the checks an earlier build with the
# same configure script, options (prefix and LIBS aside), compiler and
# packages saved (scripts/lib/build.sh: configure_cached); checks about
# malloc and the precious variables are made again; saved checks that make
# configure fail are dropped and configure runs again without them.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

export MEMLEAN_OUT=$T_TMP/out
cd "$T_TMP"

# save_configure_checks on a config.log as autoconf writes it.
cat >config.log <<'EOF'
## ---------------- ##
## Cache variables. ##
## ---------------- ##

ac_cv_env_LIBS_set=set
ac_cv_env_LIBS_value=-ljemalloc
ac_cv_func_fork=yes
ac_cv_func_malloc_trim=yes
ac_cv_path_EGREP='/usr/bin/grep -E'
rb_cv_getcwd_malloc=yes
rb_cv_stack_grow_dir=-1

## ----------------- ##
## Output variables. ##
## ----------------- ##

CC='gcc'
EOF
save_configure_checks config.log site
check "the checks are saved" grep -qx 'ac_cv_func_fork=yes' site
check "quoted values are kept as written" grep -qx "ac_cv_path_EGREP='/usr/bin/grep -E'" site
check "checks of other prefixes (rb_cv_) are saved" grep -qx 'rb_cv_stack_grow_dir=-1' site
check "the precious variables are left out" bash -c '! grep -q ac_cv_env_ site'
check "checks naming malloc are left out" bash -c '! grep -qi malloc site'
check "output variables are left out" bash -c '! grep -q "^CC=" site'
expect "the saved file reads back as the values" "$(bash -c '. ./site; echo "$ac_cv_path_EGREP/$rb_cv_stack_grow_dir"')" "/usr/bin/grep -E/-1"
awk '/^ac_cv_func_fork=/ { print "ac_cv_prog_weird='"'"'two"; print "lines'"'"'"; next } { print }' config.log >config.log.new
mv config.log.new config.log
save_configure_checks config.log site2
check "nothing is saved when a value spans lines" test ! -e site2

# configure_key: the same for what the variants differ in, not otherwise.
mkdir -p key && cd key
echo 'echo configure one' >configure
key() { MEMLEAN_PREFIX=$1 configure_key --prefix="$1" --enable-shared "LDFLAGS_NODIST=-Wl,-rpath,$1/lib" "${@:2}"; }
base=$(key /usr/lib/memlean/ruby/3.3.8)
expect "another variant's prefix and LIBS give the same key" \
  "$(key /usr/lib/memlean/ruby/3.3.8-jemalloc LIBS=-ljemalloc)" "$base"
check "another option gives another key" test "$(key /usr/lib/memlean/ruby/3.3.8 --with-lto)" != "$base"
check "compile flags in the environment give another key" test "$(CFLAGS=-O0 key /usr/lib/memlean/ruby/3.3.8)" != "$base"
echo 'echo configure two' >configure
check "another configure script gives another key" test "$(key /usr/lib/memlean/ruby/3.3.8)" != "$base"
cd "$T_TMP"

# configure_cached on a real autoconf configure: its own check counts how
# often it runs.
mkdir -p proj && cd proj
cat >configure.ac <<'EOF'
AC_INIT([memlean-cache-test], [1])
AC_PROG_CC
AC_CACHE_CHECK([for the counted check], [memlean_cv_counted],
  [echo ran >>"$ac_pwd/../counted"; memlean_cv_counted=yes])
AC_CHECK_FUNCS([fork])
AC_CONFIG_FILES([out.txt])
AC_OUTPUT
EOF
echo '@CC@' >out.txt.in
autoconf >/dev/null 2>&1 || { fail "autoconf makes the test configure"; finish; }
runs() { wc -l <"$T_TMP/counted" 2>/dev/null || echo 0; }
configured() { MEMLEAN_PREFIX=$1 configure_cached "$T_TMP/configure-$2.log" "test configure" --prefix="$1" "${@:3}" 2>"$T_TMP/progress-$2"; }
configured /opt/a first >/dev/null
expect "the first configure makes its checks" "$(runs)" 1
check "and saves them" test -n "$(ls "$MEMLEAN_OUT/configure-cache/"*.site 2>/dev/null)"
configured /opt/b second LIBS=-lm >/dev/null
expect "a variant differing in prefix and LIBS does not make them again" "$(runs)" 1
check "its configure loaded the saved checks" grep -q 'loading site script .*configure-cache' "$T_TMP/configure-second.log"
check "its progress line says so" grep -q 'checks saved by an earlier variant' "$T_TMP/progress-second"
check "its precious variables are its own (LIBS)" grep -q "ac_cv_env_LIBS_value=-lm" config.log
configured /opt/c third --enable-other >/dev/null
expect "other options make the checks again" "$(runs)" 2
site=$MEMLEAN_OUT/configure-cache/$(MEMLEAN_PREFIX=/opt/a configure_key --prefix=/opt/a).site
check "the checks are kept under the key of what was configured" test -f "$site"
for f in "$MEMLEAN_OUT"/configure-cache/*.site; do echo 'ac_cv_prog_CC=/nonexistent/cc' >>"$f"; done
rc=0
configured /opt/d fourth >/dev/null || rc=$?
expect "saved checks that break configure are dropped and it runs again without them" "$rc" 0
expect "that run makes its checks" "$(runs)" 3
check "it says why it ran again" grep -q 'configure failed with the saved checks' "$T_TMP/progress-fourth"
check "the checks saved again are good ones" bash -c "test -f '$site' && ! grep -q nonexistent '$site'"
finish
