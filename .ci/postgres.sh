#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 (installed, stopped on a fresh machine) and make an
# empty test database; prints the URL for CLUBDESK_TEST_PG.  Safe to run twice.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null; then
    echo "PostgreSQL is not installed" >&2
    exit 1
fi
if ! pg_lsclusters 2>/dev/null | grep -q '^15 *main'; then
    pg_createcluster 15 main >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.2
done
psql_as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $*"; }
psql_as_postgres "-c \"SELECT 1 FROM pg_roles WHERE rolname='clubdesk'\"" | grep -q 1 ||
    psql_as_postgres "-c \"CREATE ROLE clubdesk LOGIN PASSWORD 'clubdesk' CREATEDB\""
psql_as_postgres "-c \"DROP DATABASE IF EXISTS clubdesk_test\""
psql_as_postgres "-c \"CREATE DATABASE clubdesk_test OWNER clubdesk\""
echo "postgresql+psycopg://clubdesk:clubdesk@127.0.0.1:5432/clubdesk_test"
