#!/usr/bin/env bash
# make bench-smoke: one short repeat of the bloat workload on every
# configuration, Ruby and CPython, under the sampler; the direction of the
# effect must hold (malloctrim's settled end RSS below stock's), not any
# absolute number, and the report and charts are written.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
out=$(make --no-print-directory bench-smoke 2>&1) && rc=0 || rc=$?
expect "make bench-smoke runs" "$rc" 0
[ "$rc" = 0 ] || { echo "$out" | tail -n 10 | sed 's/^/  # /'; finish; }
results=out/bench-smoke/results.tsv
settled() { awk -F'\t' -v rt="$1" -v c="$2" '$1 == rt && $2 == "bloat" && $3 == c { print $11 }' "$results"; }
for runtime in ruby python; do
  stock=$(settled "$runtime" stock) trim=$(settled "$runtime" malloctrim)
  check "$runtime bloat: malloctrim ends at least 10% below stock ($trim kB vs $stock kB)" test "${trim:-0}" -gt 0 -a "$((${trim:-0} * 10))" -lt "$((${stock:-0} * 9))"
  expect "$runtime bloat: every configuration ran" \
    "$(awk -F'\t' -v rt="$runtime" '$1 == rt { print $3 }' "$results" | sort | tr '\n' ' ')" \
    "empty jemalloc malloctrim stock stock-again stock-arena2 stock-memlean-jemalloc "
done
check "the report has the tables and the targets" grep -q '^## Targets' out/bench-smoke/report.md
check "the report gives the floor: the runtime alone" grep -q 'the runtime alone, with no work: [0-9]* MiB' out/bench-smoke/report.md
conf=$(sed -n 's/^jemalloc_conf=//p' out/bench-smoke/machine.txt)
check "the report names jemalloc's built-in malloc_conf ($conf)" \
  bash -c "[ -n '$conf' ] && grep -qF 'built-in malloc_conf: \`$conf\`' out/bench-smoke/report.md"
check "an SVG chart per runtime" test -s out/bench-smoke/ruby-bloat.svg -a -s out/bench-smoke/python-bloat.svg
grep -A3 '^| config' out/bench-smoke/report.md | sed 's/^/  # /' || true
finish
