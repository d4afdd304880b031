#!/usr/bin/env bash
# make bench-servers-smoke: one short repeat of the app servers (Puma in
# cluster mode, gunicorn with one worker) under wrk, every configuration.
# Asserts that every configuration ran and was measured, that every request
# got a 2xx answer, and that the report and the charts exist; not numbers.
# Then the faults: a server that does not come up, answers that are not 2xx,
# a third-party source that cannot be fetched, and an interrupted run each
# stop with one error line, write no report, and leave no server running.
# shellcheck disable=SC2016 # the single-quoted $ are awk's
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
for v in normal malloctrim jemalloc; do runtime_built "$RUBY_RECIPE" "$v" ruby || finish; runtime_built "$PYTHON_RECIPE" "$v" python3 || finish; done

# BENCH_SERVERS_CONNECTIONS: a setting that machine.txt must record.
out=$(BENCH_SERVERS_CONNECTIONS=16 make --no-print-directory bench-servers-smoke 2>&1) && rc=0 || rc=$?
expect "make bench-servers-smoke runs" "$rc" 0
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" | tail -n 20 | sed 's/^/  # /'; finish; }
dir=out/bench-servers-smoke
configs() { awk -F'\t' -v rt="$1" -v m="$2" 'NR > 1 && $1 == rt && $2 == m { printf "%s ", $3 }' "$dir/results.tsv"; }
expect "Puma cluster: every configuration ran, in turn" "$(configs ruby cluster)" \
  "stock stock-arena2 stock-preload stock-preload-bg malloctrim jemalloc stock-again "
expect "gunicorn single: every configuration ran, mimalloc too (CPython 3.13)" "$(configs python single)" \
  "stock stock-arena2 stock-preload stock-preload-bg stock-mimalloc malloctrim jemalloc stock-again "
check "every run completed requests and has all its memory figures (three phase ends, the practical limit, the live bytes)" \
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { for (f in c) if (f ~ /_kb$/ && $c[f] <= 0 && !(f == "live_kb" && $c[f] == "-")) { print "run " NR ": " f " = " $c[f]; bad = 1 }
      if ($c["requests"] <= 0 || $c["rps"] <= 0) { print "run " NR ": no requests"; bad = 1 } }
    END { exit bad }' "$dir/results.tsv"
check "the sampler followed the whole tree: Puma's master and 2 workers, gunicorn's master and worker" \
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    ($2 == "cluster" && $c["procs"] != 3) || ($1 == "python" && $2 == "single" && $c["procs"] != 2) { print; bad = 1 } END { exit bad }' "$dir/results.tsv"
# limit_reports RUNTIME MODE: how many processes reported the practical limit, per run.
limit_reports() { for f in "$dir/samples/$1-$2-"*.server.log; do grep -c '^memlean-bench: practical limit reached' "$f"; done | sort -u | tr '\n' ' '; }
expect "every Puma cluster run applied the practical limit in its master and both workers" "$(limit_reports ruby cluster)" "3 "
expect "every gunicorn single run applied it in its worker (the arbiter, which does not catch SIGPWR, was not sent it)" "$(limit_reports python single)" "1 "
# The first requests after idle come between the idle mark and the limit and
# may grow the process, so the limit is judged against the RSS the worker
# itself read right before it.
check "stock's practical limit gave memory back in gunicorn single's worker (RSS before and after, as the worker read it)" \
  bash -c "grep -h '^memlean-bench: practical limit reached' '$dir'/samples/python-single-stock-[0-9]*.server.log |
    sed 's/.* rss_before_kb=\([0-9]*\) rss_after_kb=\([0-9]*\) .*/\1 \2/' | awk 'NF != 2 || \$2 >= \$1 { bad = 1 } END { exit bad || NR == 0 }'"
check "the live bytes the runtimes counted are above 1 MiB and below the practical limit (RSS) in every single-mode run, unknown only under mimalloc" \
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    ($c["live_kb"] == "-") != ($3 == "stock-mimalloc") { print; bad = 1 }
    $2 == "single" && $c["live_kb"] != "-" && ($c["live_kb"] < 1024 || $c["live_kb"] >= $c["limit_rss_kb"]) { print; bad = 1 } END { exit bad }' "$dir/results.tsv"
mapfile -t summaries < <(cat "$dir"/samples/*.wrk-* | grep '^wrk-summary ')
expect "wrk ran the warm-up, the burst and the first requests after idle for each of the 15 runs" "${#summaries[@]}" 45
check "after idle, wrk stopped at 100 requests in every run (and at most one more per connection, answers read in the same pass)" \
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["wake_requests"] < 100 || $c["wake_requests"] > 116 { print; bad = 1 } END { exit bad }' "$dir/results.tsv"
check "every request got a 2xx answer, with no socket error" \
  bash -c "! grep -h '^wrk-summary ' $dir/samples/*.wrk-* | grep -v 'connect=0 read=0 write=0 status=0 timeout=0'"
check "the jemalloc configurations ran the jemalloc variant" \
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } ($3 == "jemalloc") != ($c["variant"] == "jemalloc") { bad = 1 } END { exit bad }' "$dir/results.tsv"
check "machine.txt records the command with the settings that shaped the run" \
  grep -qx 'command=BENCH_SERVERS_CONNECTIONS="16" make bench-servers-smoke' "$dir/machine.txt"
check "and the run used them" grep -qx 'connections=16' "$dir/machine.txt"
check "the report has both servers, the floors and the targets" bash -c "
  grep -q '^## Ruby: Puma, cluster mode' $dir/report.md && grep -q '^## CPython: gunicorn gthread, 1 worker' $dir/report.md &&
  grep -q 'before load): [0-9]* MiB' $dir/report.md && grep -q '^## Targets' $dir/report.md"
for chart in ruby-cluster python-single; do
  check "$chart.svg charts every configuration" test "$(grep -c '<polyline' "$dir/$chart.svg")" -eq "$(configs "${chart%-*}" "${chart#*-}" | wc -w)"
done
# servers_running DIR: the processes whose executable lies under DIR (Puma
# and gunicorn retitle their processes; their executables stay).
servers_running() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case $exe in "$1"/*) printf '%s %s\n' "${p#/proc/}" "$exe" ;; esac
  done
}
no_server_under() { local left; left=$(servers_running "$1"); [ -z "$left" ] || { echo "still running: $left"; false; }; }
check "no server is left running" no_server_under "$ROOT/$dir.tmp/runtimes"

# --- faults ------------------------------------------------------------------
broken=$T_TMP/servers
fault() { # NAME: a fresh copy of bench/servers at $broken
  rm -rf "$broken"
  cp -a bench/servers "$broken"
}
fault
printf 'raise "this app does not boot"\n' >"$broken/config.ru"
check_error "a server that does not come up names its configuration and log" \
  'ruby cluster stock \(repeat 1\): the server exited before it listened; see .*/samples/ruby-cluster-stock-1.server.log' \
  env MEMLEAN_SERVERS="$broken" scripts/bench/servers --smoke "$T_TMP/boot"
check "it writes no report" test ! -e "$T_TMP/boot" -a ! -e "$T_TMP/boot.tmp/report.md"
check "and the log it names says why" grep -q 'this app does not boot' "$T_TMP/boot.tmp/samples/ruby-cluster-stock-1.server.log"

fault
sed -i 's|return wrk.format("GET", path)|return wrk.format("GET", "/json?kb=0")|' "$broken/mix.lua"
check_error "answers that are not 2xx stop the run, naming the configuration and wrk's log" \
  'ruby cluster stock \(repeat 1\): wrk \(warmup\) got [0-9]+ answers that were not 2xx; see .*wrk-warmup' \
  env MEMLEAN_SERVERS="$broken" scripts/bench/servers --smoke "$T_TMP/status"
check "it writes no report" test ! -e "$T_TMP/status" -a ! -e "$T_TMP/status.tmp/report.md"

fault
sed -e 's|^SOURCE_URL=.*|SOURCE_URL=file:///nonexistent/ruby-rack_3.1.20_all.deb|' \
  -e "s|^SOURCE_SHA256=.*|SOURCE_SHA256=$(printf '%064d' 1)|" recipes/third-party/ruby-rack-3.1.20 >"$T_TMP/rack-unreachable"
sed -i "s|third-party/ruby-rack-3.1.20|$T_TMP/rack-unreachable|" "$broken/stack"
check_error "a third-party source that cannot be fetched names the stack and the file" \
  'ruby stack of .*: no source of .*rack-unreachable could be fetched' \
  env MEMLEAN_SERVERS="$broken" scripts/bench/servers --smoke "$T_TMP/fetch"
check "it writes no report" test ! -e "$T_TMP/fetch" -a ! -e "$T_TMP/fetch.tmp/report.md"

check_error "a phase length that is not a number of seconds is one error line" 'BENCH_SERVERS_BURST_S=0 is not a whole number' \
  env BENCH_SERVERS_BURST_S=0 scripts/bench/servers --smoke "$T_TMP/knob"
check_error "an unknown server mode is one error line" "BENCH_SERVERS_MODES: 'ruby:fork' is not a server mode" \
  env BENCH_SERVERS_MODES="ruby:single ruby:fork" scripts/bench/servers --smoke "$T_TMP/knob"
check_error "an unknown tuning setting is one error line" "BENCH_SERVERS_TUNING: 'malloctrim-fast' is not a tuning setting" \
  env BENCH_SERVERS_TUNING="jemalloc-bg malloctrim-fast" scripts/bench/servers --smoke "$T_TMP/knob"
check_error "a configuration the run does not have is one error line" "BENCH_SERVERS_CONFIGS: 'malloctrim-mmap1m' is not a configuration of this run" \
  env BENCH_SERVERS_CONFIGS="stock malloctrim-mmap1m" scripts/bench/servers --smoke "$T_TMP/knob"

# Interrupted while a server runs: the server is stopped. The run is of a
# subset of the configurations, so its first server is arena2's, not stock's.
BENCH_SERVERS_CONFIGS="stock-arena2 malloctrim" scripts/bench/servers --smoke "$T_TMP/interrupted" >"$T_TMP/interrupted.log" 2>&1 &
bench=$!
for _ in $(seq 600); do
  grep -qs 'Listening on' "$T_TMP/interrupted.tmp/samples/ruby-cluster-stock-arena2-1.server.log" && break
  sleep 0.1
done
check "the interrupted run had a server up, the first of the configurations it was given" grep -qs 'Listening on' "$T_TMP/interrupted.tmp/samples/ruby-cluster-stock-arena2-1.server.log"
check "and none of those it was not given" test ! -e "$T_TMP/interrupted.tmp/samples/ruby-cluster-stock-1.server.log"
kill -TERM "$bench"
rc=0; wait "$bench" || rc=$?
expect "an interrupted run exits 130" "$rc" 130
sleep 1
check "and leaves no server running" no_server_under "$T_TMP/interrupted.tmp/runtimes"
check "and writes no report" test ! -e "$T_TMP/interrupted" -a ! -e "$T_TMP/interrupted.tmp/report.md"
finish
