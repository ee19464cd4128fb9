#!/usr/bin/env bash
# The sign-in storm (see BENCHMARKS.md): the release server on the demo data (SQLite),
# 400 concurrent wrong passwords for one teacher's login from one address, the teacher
# signing in from another meanwhile; prints what was checked, the owner's wait and the
# server's peak memory, and fails if the promises do not hold.
# usage: scripts/bench-sign-in.sh [N]   (default 400)
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

install_build_tools
[ -x target/release/tabel ] || build_release

SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null' EXIT
data="$(mktemp -d)"
port="$(free_port)"
# Many more open sockets than the default 1024 (each guess is a connection).
ulimit -n 4096 2>/dev/null || true
DATABASE_URL="" TABEL_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_ENV=PROD RUST_LOG=warn \
    target/release/tabel --demo >"$data/server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$port/health_check" >/dev/null; do sleep 0.2; done
log "sign-in storm: ${1:-400} wrong passwords for teacher"
python3 scripts/load/sign_in_storm.py "http://127.0.0.1:$port" "$SERVER_PID" teacher demo-teacher-2026 "${1:-400}"
