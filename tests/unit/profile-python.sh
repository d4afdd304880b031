#!/usr/bin/env bash
# scripts/build/profile-python, with a stand-in CPython source whose Makefile's
# profile-run-stamp fails, records nothing, or records a profile: a failed
# or empty profile run stops with one error line naming its log and leaves
# no profile behind; a good one is made once, cached beside ccache's, and
# found there by a fresh output tree.
. "$(dirname "$0")/../lib.sh"

export MEMLEAN_OUT=$T_TMP/out MEMLEAN_CCACHE_ROOT=$T_TMP/ccache-root
cd "$ROOT"

# fake_recipe MODE: a recipe whose source is a stand-in CPython tree; its
# profile task fails (fail), writes no .gcda (empty) or writes 120 (good).
fake_recipe() {
  local src=$T_TMP/src-$1/Python-3.13.15
  mkdir -p "$src"
  printf '#!/bin/sh\necho "$*" >%s\n' "$T_TMP/configure.args" >"$src/configure"
  chmod +x "$src/configure"
  # shellcheck disable=SC2016 # make and the recipe's shell expand these
  case $1 in
    fail) recipe_body='echo "test_x failed"; exit 2' ;;
    empty) recipe_body='echo "ran, recorded nothing"' ;;
    good) recipe_body='mkdir -p Python Objects && : >Python/ceval.gcda && for i in $$(seq 119); do : >Objects/o$$i.gcda; done' ;;
  esac
  printf 'profile-run-stamp:\n\t%s\n' "$recipe_body" >"$src/Makefile"
  tar -C "$T_TMP/src-$1" -cJf "$T_TMP/src-$1.tar.xz" Python-3.13.15
  sed -e '/^MIRROR_/d' -e '/^SOURCE_SIZE=/d' -e '/^PATCHES_/s/=.*/=""/' \
    -e "s#^SOURCE_URL=.*#SOURCE_URL=file://$T_TMP/src-$1.tar.xz#" \
    -e "s#^SOURCE_SHA256=.*#SOURCE_SHA256=$(sha256sum "$T_TMP/src-$1.tar.xz" | cut -d' ' -f1)#" \
    recipes/python/3.13.15 >"$T_TMP/recipe-$1"
  echo "$T_TMP/recipe-$1"
}

check_error "a failing profile run stops the build, naming its log" \
  "profile run failed .*full log: .*/logs/python-3.13.15-profile/profile.log" \
  scripts/build/profile-python "$(fake_recipe fail)"
check "it leaves no profile behind" test ! -e "$MEMLEAN_OUT/profile/python-3.13.15"
check_error "a profile run that records nothing stops the build, naming its log" \
  "the profile run left 0 .gcda files .*see .*/logs/python-3.13.15-profile/profile.log" \
  scripts/build/profile-python "$(fake_recipe empty)"
check "it leaves no profile behind, here or in the cache" \
  bash -c "[ ! -e '$MEMLEAN_OUT/profile/python-3.13.15' ] && [ -z \"\$(ls -A '$MEMLEAN_CCACHE_ROOT/pgo' 2>/dev/null)\" ]"

good=$(fake_recipe good)
if path=$(scripts/build/profile-python "$good" 2>"$T_TMP/err"); then
  pass "a profile run that records data makes a profile"
  expect "it holds every .gcda file" "$(tar -tf "$path" | wc -l)" 120
  check "the instrumented build is configured with --enable-optimizations, without LTO" \
    bash -c "grep -q -- '--enable-optimizations' '$T_TMP/configure.args' && ! grep -q -- '--with-lto' '$T_TMP/configure.args'"
  check "its build tree is removed" test ! -e "$MEMLEAN_OUT/build/python-3.13.15-profile"
  expect "the same inputs reuse it" "$(scripts/build/profile-python "$good" 2>&1 >/dev/null)" ""
  rm -rf "$MEMLEAN_OUT/profile"
  check "a fresh output tree finds it in the cache beside ccache's" \
    bash -c "scripts/build/profile-python '$good' 2>&1 >/dev/null | grep -q 'the profile of these inputs, from $MEMLEAN_CCACHE_ROOT/pgo/'"
else
  fail "a profile run that records data makes a profile" "$(cat "$T_TMP/err")"
fi

finish
