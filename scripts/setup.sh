# Sourced by run-demo.sh and test-all.sh: installs what Tabel needs, idempotently.
# Each step checks first, so a second run is quick. Runs as root on Debian (as CI does)
# or with sudo available.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "apt: installing ${missing[*]}"
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

install_build_tools() {
    command -v cargo >/dev/null || { echo "Rust (rustup) is required: https://rustup.rs" >&2; exit 1; }
    apt_install pkg-config ca-certificates curl
    # Node.js may come from Debian or from NodeSource (which bundles npm and conflicts
    # with Debian's npm package): install Debian's only when there is none.
    command -v npm >/dev/null || apt_install nodejs npm
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        log "rustup: adding wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi
    if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
        log "cargo: installing cargo-leptos $CARGO_LEPTOS_VERSION (takes ~20 min on 2 cores)"
        cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
    fi
    local wbg
    wbg="$(wasm_bindgen_version)"
    if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
        log "cargo: installing wasm-bindgen-cli $wbg"
        # Not --locked: its lockfile names a crate version the registry no longer has.
        cargo install wasm-bindgen-cli --version "$wbg" --force
    fi
    # npm packages: Playwright (tests) and binaryen's wasm-opt (release builds).
    if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
        || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
        log "npm: installing end2end packages"
        (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

install_test_tools() {
    apt_install chromium postgresql poppler-utils
    install_smtp_sink
}

# aiosmtpd, the real SMTP server the mail tests send to, in a virtualenv of its own
# (the mail tests find it through TABEL_TEST_PYTHON).
AIOSMTPD_VERSION="1.4.6"
install_smtp_sink() {
    local venv="$ROOT/.venv"
    if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
        log "pip: installing aiosmtpd $AIOSMTPD_VERSION into .venv"
        command -v python3 >/dev/null || apt_install python3
        python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
        "$venv/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
    fi
    export TABEL_TEST_PYTHON="$venv/bin/python"
}

# Starts the local PostgreSQL on loopback and makes sure the `tabel` superuser exists
# (tests create and drop one database per test).
start_postgres() {
    local ver
    ver="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main"; then
        as_root pg_createcluster "$ver" main >/dev/null
    fi
    if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
        log "postgres: starting cluster $ver/main on 127.0.0.1"
        as_root pg_ctlcluster "$ver" main start -- -o "-c listen_addresses=127.0.0.1"
    fi
    local port
    port="$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')"
    as_root runuser -u postgres -- psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='tabel'" | grep -q 1 \
        || as_root runuser -u postgres -- psql -p "$port" -qc "CREATE ROLE tabel LOGIN SUPERUSER PASSWORD 'tabel'"
    export TABEL_TEST_POSTGRES_URL="postgres://tabel:tabel@127.0.0.1:$port/postgres"
}

# A free TCP port on loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The release build: the server and the wasm client, with a brotli and a gzip copy of
# each of the client's files beside it (sent where the browser takes them). cargo-leptos
# writes its gzip copies at a fast level (the wasm: 1.14 MB, against 0.94 MB at -9), and
# a browser without brotli (Chromium over plain http) gets those: they are made again
# at the highest level.
build_release() {
    cargo leptos build --release --precompress
    local gz
    find "$ROOT/target/site" -name '*.gz' -print0 | while IFS= read -r -d '' gz; do
        gzip -9 -n -c "${gz%.gz}" > "$gz"
    done
}
