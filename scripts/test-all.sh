#!/usr/bin/env bash
# Runs every check and test of Tabel: formatting, clippy (server and wasm feature sets),
# the Rust unit and integration tests on SQLite and PostgreSQL, the Debian package and
# two instances behind nginx, and the Playwright tests in Chromium against the release
# build on both databases.
# Installs what it needs first (apt, rustup target, cargo tools, npm packages).
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
# A full run builds each crate once: incremental caches would only double target/ on
# a CI disk (set CARGO_INCREMENTAL=1 to keep them between local runs).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

install_build_tools
install_test_tools
start_postgres
export TABEL_REQUIRE_POSTGRES=1 TABEL_REQUIRE_SMTP=1

# Each integration test and browser run makes a database of its own and leaves it for
# a look after a failure; drop those of earlier runs, or repeated runs fill the disk.
log "dropping the test databases of earlier runs"
for db in $(psql "$TABEL_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname ~ '^tabel_(test|e2e|region|proxy)_'"); do
    psql "$TABEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" || log "kept $db (in use)"
done

log "cargo fmt --check"
cargo fmt --all -- --check

log "clippy (ssr: server and app)"
cargo clippy --locked -p app -p server --features app/ssr --all-targets -- -D warnings
log "clippy (hydrate: frontend and app for wasm32)"
cargo clippy --locked -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
log "tsc --checkJs frontend/public/offline.js"
(cd "$ROOT/end2end" && npx --no-install tsc -p tsconfig.offline.json)

log "Rust unit and integration tests (SQLite and PostgreSQL)"
cargo test --locked -p app -p server --features app/ssr

log "release build (server + wasm client)"
build_release

log "the Debian package: built, installed, started as its unit would, upgraded, purged"
bash "$ROOT/scripts/test-package.sh"
log "two instances behind nginx on PostgreSQL: Playwright through the proxy, SIGTERM under wrk"
bash "$ROOT/scripts/test-proxy.sh"

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT

# Starts the release server on a free port: $1 = DATABASE_URL ("" = SQLite in $2),
# $2 = data directory, further arguments go to the server. Sets PORT.
start_server() {
    local url="$1" data="$2"
    shift 2
    PORT="$(free_port)"
    # The OpenID Connect provider is started by the Playwright run (global-setup.ts);
    # the app only needs its address, and discovers it on first use.
    TABEL_OIDC_PORT="$(free_port)"
    TABEL_OIDC_CONTROL_PORT="$(free_port)"
    export TABEL_OIDC_PORT TABEL_OIDC_CONTROL_PORT
    DATABASE_URL="$url" TABEL_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
        LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
        TABEL_OIDC_ISSUER="http://127.0.0.1:$TABEL_OIDC_PORT" TABEL_OIDC_CLIENT_ID=tabel \
        TABEL_OIDC_CLIENT_SECRET=tabel-secret TABEL_PUBLIC_URL="http://127.0.0.1:$PORT" \
        "$ROOT/target/release/tabel" "$@" >"$data/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$PORT/health_check" >/dev/null 2>&1 && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$data/server.log"; exit 1; }
        sleep 0.2
    done
}

run_playwright() { # $1 = data directory; further arguments and env go to Playwright
    local data="$1"
    shift
    (cd "$ROOT/end2end" && TABEL_BASE_URL="http://127.0.0.1:$PORT" npx playwright test "$@") \
        || { echo "--- server log ---"; tail -n 50 "$data/server.log"; exit 1; }
}

run_e2e() { # $1 = label, $2 = DATABASE_URL ("" = SQLite)
    local data
    data="$(mktemp -d)"
    start_server "$2" "$data" --demo
    log "Playwright in Chromium against the release build on $1 (port $PORT)"
    run_playwright "$data"
    stop_server
}

# The municipal screens on a small generated region, cross-checked with SQL.
run_e2e_region() { # $1 = label, $2 = DATABASE_URL ("" = SQLite)
    local data url
    data="$(mktemp -d)"
    url="${2:-sqlite://$data/tabel.db?mode=rwc}"
    log "generating a small region on $1"
    DATABASE_URL="$url" "$ROOT/target/release/tabel" generate-region --small --seed 7 \
        --from 2026-09-01 --until 2026-11-25 2>"$data/generate.log" \
        || { cat "$data/generate.log"; exit 1; }
    start_server "$url" "$data"
    log "Playwright: municipal screens on the generated region, $1 (port $PORT)"
    TABEL_E2E_REGION=1 TABEL_E2E_DATABASE_URL="$url" run_playwright "$data" tests/region-municipal.spec.ts
    stop_server
}

run_e2e SQLite ""
pg_db="tabel_e2e_$$"
psql "$TABEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_db" -qc "CREATE DATABASE $pg_db"
run_e2e PostgreSQL "${TABEL_TEST_POSTGRES_URL%/*}/$pg_db"
run_e2e_region SQLite ""
region_db="tabel_region_$$"
psql "$TABEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $region_db" -qc "CREATE DATABASE $region_db"
run_e2e_region PostgreSQL "${TABEL_TEST_POSTGRES_URL%/*}/$region_db"

log "all checks and tests passed"
