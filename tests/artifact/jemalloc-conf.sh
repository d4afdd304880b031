#!/usr/bin/env bash
# The jemalloc variant runs with the malloc_conf defaults its jemalloc recipe
# bakes in (MALLOC_CONF=, compiled in as config.malloc_conf), and MALLOC_CONF
# in the environment still overrides them. jemalloc's stats_print shows both.
. "$(dirname "$0")/../lib.sh"

# shellcheck source=scripts/lib.sh
conf=$(. "$ROOT/scripts/lib.sh" && load_recipe "$(recipe_path "$RUBY_RECIPE")" &&
  load_recipe "$(recipe_path "$R_JEMALLOC")" && printf '%s' "${R_MALLOC_CONF:-}")
narenas=$(sed -n 's/.*narenas:\([0-9]*\).*/\1/p' <<<"$conf")
[ -n "$narenas" ] || fail "the jemalloc recipe bakes in narenas (MALLOC_CONF=$conf)"

# stats EXE [MALLOC_CONF]: jemalloc's statistics of a runtime doing nothing
stats() {
  local flag=-c code=pass
  case $1 in */ruby) flag=-e code=nil ;; esac
  MALLOC_CONF="stats_print:true${2:+,$2}" "$1" "$flag" "$code" >/dev/null 2>"$T_TMP/stats"
  cat "$T_TMP/stats"
}

for exe in "$(build_path root "$RUBY_RECIPE" jemalloc)/bin/ruby" "$(build_path root "$PYTHON_RECIPE" jemalloc)/bin/python3"; do
  name=$(basename "$exe")
  out=$(stats "$exe")
  expect "$name jemalloc: config.malloc_conf is the recipe's" \
    "$(sed -n 's/^ *config\.malloc_conf: //p' <<<"$out")" "\"$conf\""
  expect "$name jemalloc: opt.narenas follows it" "$(sed -n 's/^ *opt\.narenas: //p' <<<"$out")" "$narenas"
  expect "$name jemalloc: MALLOC_CONF=narenas:3 overrides it" \
    "$(stats "$exe" narenas:3 | sed -n 's/^ *opt\.narenas: //p')" 3
done

normal=$(build_path root "$RUBY_RECIPE" normal)/bin/ruby
check "ruby normal: glibc ignores MALLOC_CONF (no jemalloc statistics)" \
  bash -c "! MALLOC_CONF=stats_print:true '$normal' -e 1 2>&1 | grep -q 'config.malloc_conf'"

finish
