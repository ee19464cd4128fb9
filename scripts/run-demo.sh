#!/usr/bin/env bash
# Builds Tabel and serves it on http://127.0.0.1:3000 with a SQLite database in ./data
# and the demo kindergarten loaded. Installs the build tools it needs first.
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
install_build_tools
log "building (release)"
build_release
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export TABEL_DATA_DIR="${TABEL_DATA_DIR:-$ROOT/data}"
log "serving on http://$LEPTOS_SITE_ADDR (Ctrl+C stops)"
exec "$ROOT/target/release/tabel" --demo
