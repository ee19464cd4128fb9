#!/usr/bin/env bash
# Load benchmark against the running release server on loopback, on a full generated
# region, once on SQLite and once on PostgreSQL (see BENCHMARKS.md):
#  - the morning peak: 500 tablets (wrk connections), each saving its group's day;
#  - teachers opening табели (server function `timesheet`).
# Prints throughput, latency percentiles and the server's CPU time and peak memory.
# usage: scripts/bench-load.sh [sqlite|postgres]...   (default: both)
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

install_build_tools
apt_install wrk postgresql
start_postgres
[ -x target/release/tabel ] || build_release

DAY="2026-11-25"
CLIENTS="${TABEL_LOAD_CLIENTS:-500}"
DURATION="${TABEL_LOAD_DURATION:-30s}"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null' EXIT

cpu_seconds() { # utime + stime of a process, in seconds
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"
}

bench() { # $1 = label, $2 = DATABASE_URL
    local label="$1" url="$2" data port
    data="$(mktemp -d)"
    log "$label: generating the full region"
    DATABASE_URL="$url" target/release/tabel generate-region --from 2026-09-01 --until "$DAY"
    port="$(free_port)"
    DATABASE_URL="$url" TABEL_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
        LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_ENV=PROD RUST_LOG=warn \
        target/release/tabel >"$data/server.log" 2>&1 &
    SERVER_PID=$!
    until curl -fs "http://127.0.0.1:$port/health_check" >/dev/null; do sleep 0.2; done
    log "$label: signing in $CLIENTS teachers"
    python3 scripts/load/prepare.py "http://127.0.0.1:$port" "$url" "$CLIENTS" "$DAY" "$data/targets.lua"
    export TABEL_LOAD_TARGETS="$data/targets.lua"
    local cpu0 cpu1
    cpu0="$(cpu_seconds "$SERVER_PID")"
    log "$label: morning peak, $CLIENTS connections, $DURATION"
    wrk -t2 -c"$CLIENTS" -d"$DURATION" --timeout 10s --latency -s scripts/load/save_marks.lua "http://127.0.0.1:$port"
    cpu1="$(cpu_seconds "$SERVER_PID")"
    echo "server CPU during the run: $(echo "$cpu1 - $cpu0" | bc) s; peak RSS: $(grep VmHWM /proc/$SERVER_PID/status)"
    log "$label: табели, 50 connections, 20s"
    wrk -t2 -c50 -d20s --latency -s scripts/load/timesheet.lua "http://127.0.0.1:$port"
    log "$label: the region-wide month aggregate"
    TABEL_BENCH_REGION_URL="$url" cargo bench -p server --bench region -- --warm-up-time 1 --measurement-time 10
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for backend in "${@:-sqlite postgres}"; do
    case "$backend" in
        sqlite) d="$(mktemp -d)"; bench SQLite "sqlite://$d/region.db?mode=rwc" ;;
        postgres)
            psql "$TABEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS tabel_load" -qc "CREATE DATABASE tabel_load"
            bench PostgreSQL "${TABEL_TEST_POSTGRES_URL%/*}/tabel_load" ;;
        *) echo "unknown backend $backend" >&2; exit 1 ;;
    esac
done
