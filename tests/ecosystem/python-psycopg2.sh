#!/usr/bin/env bash
# psycopg2 2.9.10: its C extension psycopg2._psycopg built over Debian's
# libpq by pip --no-index in a venv of the variant; its own unittest suite
# (tests.test_suite) against a real PostgreSQL server from Debian, which
# this file starts as the unprivileged user nobody in a scratch directory,
# listening on a Unix socket there only, and stops at the end, also when
# the run fails or is interrupted.
. "$(dirname "$0")/lib"
ECO_RUNTIME=python ECO_RECIPE=third-party/psycopg2-2.9.10
ECO_TESTS="tests.test_suite (all) against PostgreSQL"
ECO_FORMAT=unittest
ECO_LEFT_OUT="replication tests (need a replication setup: skipped by the suite itself)"
ECO_OBJECTS=('_psycopg\.cpython[^ ]*\.so' 'libpq\.so\.5')

pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  fail "a PostgreSQL server is installed (make test-ecosystem installs Debian's postgresql)"
  finish
fi
PGDIR=$(mktemp -d /tmp/memlean-postgres.XXXXXX)
# Called on exit, also on an interrupt (tests/ecosystem/lib).
eco_stop() {
  if [ -f "$PGDIR/data/postmaster.pid" ]; then
    runuser -u nobody -- "$pg_bin/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDIR"
}
chown nobody: "$PGDIR"
chmod 755 "$PGDIR"
pg_log=$ECO_LOGS/psycopg2/postgres.log
mkdir -p "$(dirname "$pg_log")"
if ! {
  runuser -u nobody -- "$pg_bin/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 &&
    runuser -u nobody -- "$pg_bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
      -o "-k $PGDIR -c listen_addresses='' -c fsync=off" start &&
    "$pg_bin/psql" -h "$PGDIR" -U postgres -d postgres -c 'CREATE DATABASE psycopg2_test'
} >"$pg_log" 2>&1; then
  cat "$PGDIR/server.log" >>"$pg_log" 2>/dev/null || true
  fail "PostgreSQL starts on a Unix socket in $PGDIR (log: ${pg_log#"$ROOT"/})" "$(tail -n 5 "$pg_log")"
  finish
fi
pass "PostgreSQL $("$pg_bin/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([0-9.]*\).*/\1/p') runs as nobody on a Unix socket only"
export PSYCOPG2_TESTDB=psycopg2_test PSYCOPG2_TESTDB_HOST=$PGDIR PSYCOPG2_TESTDB_USER=postgres

eco_build() {
  eco_venv &&
    eco_pip --no-cache-dir --no-build-isolation --no-deps -v "$SRC"
}
eco_tests() {
  eco_python -X faulthandler -c 'import sys, unittest, tests
r = unittest.TextTestRunner(verbosity=2).run(tests.test_suite())
sys.exit(not r.wasSuccessful())'
}
eco_smoke() {
  (cd / && eco_python -c 'import os, psycopg2
c = psycopg2.connect(dbname="psycopg2_test", host=os.environ["PSYCOPG2_TESTDB_HOST"], user="postgres")
cur = c.cursor(); cur.execute("select repeat(%s, 1000), generate_series(1, 1000)", ("x",)); print(len(cur.fetchall()))')
}
eco_main
