#!/usr/bin/env bash
# side_by_side (scripts/lib.sh), which runs the recipes' builds and
# packaging two at a time: every argument is run, never more than the limit
# at once, failures are named, and the function it runs sees the caller's
# globals (a "jobs" array once came out shadowed by its locals, and make
# packages packaged nothing); a bad limit is one error line.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

d=$T_TMP/runs
mkdir -p "$d"
jobs=(alpha beta gamma delta)
record() { # ARG: notes when it runs, how many ran beside it, and a global it reads
  local n
  touch "$d/running.$1"
  sleep 0.3
  n=$(find "$d" -name 'running.*' | wc -l)
  echo "$n" >"$d/beside.$1"
  printf '%s\n' "${jobs[@]}" >"$d/globals.$1"
  rm -f "$d/running.$1"
  [ "$1" != gamma ]
}
side_by_side 2 record "${jobs[@]}"
expect "every argument ran" "$(cd "$d" && printf '%s ' beside.*)" "beside.alpha beside.beta beside.delta beside.gamma "
most=$(cat "$d"/beside.* | sort -n | tail -n 1)
check "never more than 2 at a time ($most at most)" test "$most" -le 2
check "and 2 did run at a time" test "$most" -eq 2
expect "the failed one is named" "${SIDE_BY_SIDE_FAILED[*]}" gamma
expect "the function sees the caller's jobs array" "$(tr '\n' ' ' <"$d/globals.alpha")" "alpha beta gamma delta "

rm -f "$d"/*
side_by_side 1 record alpha beta
check "with 1 at a time they run one after another" test "$(cat "$d"/beside.* | sort -u)" = 1
expect "no failure, none named" "${#SIDE_BY_SIDE_FAILED[@]}" 0

check_error "a limit that is not a number is one error line" 'x is not a number of jobs at a time' \
  bash -c ". '$ROOT/scripts/lib.sh'; side_by_side x true a"
check_error "build-set with a bad MEMLEAN_BUILD_JOBS is one error line" 'is not a number of jobs' \
  env MEMLEAN_BUILD_JOBS=0 "$ROOT/scripts/build/build-set" ruby/3.3.8
check_error "build-set names an unknown recipe before building anything" 'recipe .*ruby/9.9.9 does not exist' \
  "$ROOT/scripts/build/build-set" ruby/3.3.8 ruby/9.9.9
finish
