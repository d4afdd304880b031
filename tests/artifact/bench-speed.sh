#!/usr/bin/env bash
# scripts/bench/speed --smoke: every configuration (Debian 13's interpreters,
# each variant, normal again, Ruby with --yjit) runs the kernels and Ruby's
# own benchmarks in the Debian 13 root, and the report has a ratio for each
# against normal and against debian, and the targets. A distro interpreter
# that cannot be installed stops it with one error line and no report.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

out=$T_TMP/speed
if scripts/bench/speed --smoke "$out" >"$T_TMP/log" 2>&1; then
  pass "bench-speed --smoke runs"
  report=$out/report.md
  for row in "ruby debian" "ruby normal" "ruby malloctrim" "ruby jemalloc" "ruby normal-yjit" "ruby normal-again" \
    "python debian" "python normal" "python malloctrim" "python jemalloc" "python normal-again"; do
    read -r runtime config <<<"$row"
    # shellcheck disable=SC2016 # awk's own $0 and $2
    check "$runtime $config: a geomean ratio to normal and to debian" \
      awk -v rt="$runtime" -v c="$config" '/^## / { in_rt = ($2 == rt) } in_rt && $0 ~ "^\\| " c " \\| .*\\| [0-9.]+ \\([0-9.]+-[0-9.]+\\) \\| [0-9.]+ \\([0-9.]+-[0-9.]+\\) \\|$" { found = 1 } END { exit !found }' "$report"
  done
  check "Debian's interpreters are what the debian rows ran" \
    bash -c "grep -q \$'ruby\tdebian\truby 3.3' '$out/descriptions.tsv' && grep -q \$'python\tdebian\t3.13' '$out/descriptions.tsv' && ! grep \$'\tdebian\t' '$out/descriptions.tsv' | grep -q memlean"
  check "the variants' rows ran memlean's builds" bash -c "grep \$'\tjemalloc\t' '$out/descriptions.tsv' | grep -c 'memlean-jemalloc' | grep -qx 2"
  check "Ruby's own benchmarks ran" grep -q $'\tupstream\tapp_fib\t' "$out/results.tsv"
  check "the targets are stated" grep -q '^- jemalloc within 1.02x of debian: ' "$report"
else
  fail "bench-speed --smoke runs" "$(tail -n 20 "$T_TMP/log")"
fi

check_error "an interpreter that cannot be installed stops it with one line" \
  "could not make a clean debian-13 root with debian-13's interpreters \(python3.99 ruby3.3\)" \
  env MEMLEAN_SPEED_PACKAGES="python3.99 ruby3.3" scripts/bench/speed --smoke "$T_TMP/bad"
check "and no report is written" test ! -e "$T_TMP/bad/report.md"

finish
