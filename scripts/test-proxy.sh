#!/usr/bin/env bash
# Two Tabel instances behind nginx on one PostgreSQL, as packaging/nginx/tabel.conf sets
# them up (its marked lines, run unchanged but for the instances' addresses; no TLS):
#  1. Playwright signs the demo teacher in through the proxy, marks a child present and
#     one absent, and sees them saved after reloads answered by both instances;
#  2. wrk loads a server-rendered page through the proxy for 8 s while one instance is
#     stopped with SIGTERM 3 s in: no request may fail (no socket errors, no non-2xx/3xx).
# usage: scripts/test-proxy.sh
# env:   TABEL_BIN (default target/release/tabel), TABEL_SITE (default target/site),
#        READY_PATH (default /readyz; /health_check for builds from before it),
#        TABEL_PROXY_WRK_SECONDS (8), TABEL_PROXY_STOP_AFTER (3), TABEL_PROXY_CONNECTIONS (8)
# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

TABEL_BIN="${TABEL_BIN:-$ROOT/target/release/tabel}"
TABEL_SITE="${TABEL_SITE:-$ROOT/target/site}"
READY_PATH="${READY_PATH:-/readyz}"
WRK_SECONDS="${TABEL_PROXY_WRK_SECONDS:-8}"
STOP_AFTER="${TABEL_PROXY_STOP_AFTER:-3}"
CONNECTIONS="${TABEL_PROXY_CONNECTIONS:-8}"
EXAMPLE="$ROOT/packaging/nginx/tabel.conf"
[ -x "$TABEL_BIN" ] || { echo "no Tabel binary at $TABEL_BIN (build_release, or set TABEL_BIN)" >&2; exit 1; }
[ -f "$TABEL_SITE/pkg/tabel.wasm" ] || { echo "no built site at $TABEL_SITE (set TABEL_SITE)" >&2; exit 1; }

apt_install nginx wrk postgresql chromium
start_postgres

DIR="$(mktemp -d /tmp/tabel-proxy.XXXXXX)"
chmod 755 "$DIR"
NGINX_PID=""
A_PID=""
B_PID=""
DB="tabel_proxy_$$"
OK=0
cleanup() {
    local pid
    for pid in "$A_PID" "$B_PID"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
    done
    [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null
    for pid in "$A_PID" "$B_PID" "$NGINX_PID"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null
    done
    if [ "$OK" -eq 1 ]; then
        psql "$TABEL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $DB" || true
        rm -rf "$DIR"
    else
        echo "test-proxy failed: logs in $DIR (a.log, b.log, error.log, access.log), database $DB kept" >&2
    fi
}
trap cleanup EXIT

psql "$TABEL_TEST_POSTGRES_URL" -qc "CREATE DATABASE $DB"
DATABASE_URL="${TABEL_TEST_POSTGRES_URL%/*}/$DB"
PORT_A="$(free_port)"
PORT_B="$(free_port)"
PROXY_PORT="$(free_port)"

# --- nginx: the example's marked lines, on loopback -------------------------------------
region() { # $1 = marker name: the lines between ">>> test-proxy: $1" and "<<< test-proxy: $1"
    local text
    text="$(sed -n "/# >>> test-proxy: $1\$/,/# <<< test-proxy: $1\$/p" "$EXAMPLE")"
    [ -n "$text" ] || { echo "$EXAMPLE has no \"test-proxy: $1\" region" >&2; exit 1; }
    printf '%s\n' "$text" | sed -e "s/10\.0\.0\.11:3000/127.0.0.1:$PORT_A/" -e "s/10\.0\.0\.12:3000/127.0.0.1:$PORT_B/"
}
mkdir -p "$DIR/temp"
{
    # As root the workers would run as nobody, who cannot enter the temporary directory.
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    cat <<EOF
worker_processes 1;
events { worker_connections 1024; }
http {
    client_body_temp_path $DIR/temp/client_body;
    proxy_temp_path $DIR/temp/proxy;
    fastcgi_temp_path $DIR/temp/fastcgi;
    uwsgi_temp_path $DIR/temp/uwsgi;
    scgi_temp_path $DIR/temp/scgi;
EOF
    region http
    cat <<EOF
    server {
        listen 127.0.0.1:$PROXY_PORT;
        access_log $DIR/access.log tabel;
EOF
    region server
    echo "    }"
    echo "}"
} >"$DIR/nginx.conf"
grep -q "127.0.0.1:$PORT_A" "$DIR/nginx.conf" && grep -q "127.0.0.1:$PORT_B" "$DIR/nginx.conf" \
    || { echo "the instance addresses of $EXAMPLE were not found (10.0.0.11:3000, 10.0.0.12:3000)" >&2; exit 1; }
NGINX=(nginx -p "$DIR" -e "$DIR/error.log" -c "$DIR/nginx.conf" -g "daemon off; pid $DIR/nginx.pid;")
"${NGINX[@]}" -t -q

# The whole example must parse too (TLS included), with a throwaway certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=tabel.example.ru \
    -keyout "$DIR/privkey.pem" -out "$DIR/fullchain.pem" 2>/dev/null
{
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "events {}"
    echo "http {"
    sed -e "s#/etc/ssl/tabel/#$DIR/#" -e "s#/var/log/nginx/#$DIR/#" "$EXAMPLE"
    echo "}"
} >"$DIR/example.conf"
nginx -p "$DIR" -e "$DIR/error.log" -c "$DIR/example.conf" -g "pid $DIR/example.pid;" -t -q

log "nginx on 127.0.0.1:$PROXY_PORT in front of 127.0.0.1:$PORT_A (A) and 127.0.0.1:$PORT_B (B)"
"${NGINX[@]}" &
NGINX_PID=$!

# --- the two instances ------------------------------------------------------------------
STARTED_PID=""
start_instance() { # $1 = name, $2 = port, further arguments go to tabel; sets STARTED_PID
    local name="$1" port="$2"
    shift 2
    mkdir -p "$DIR/$name"
    DATABASE_URL="$DATABASE_URL" TABEL_DATA_DIR="$DIR/$name" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
        LEPTOS_SITE_ROOT="$TABEL_SITE" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
        TABEL_PUBLIC_URL="http://127.0.0.1:$PROXY_PORT" TABEL_TRUSTED_PROXIES=127.0.0.1 \
        exec "$TABEL_BIN" "$@" >"$DIR/$name.log" 2>&1 &
    STARTED_PID=$!
}
wait_ready() { # $1 = name, $2 = port, $3 = pid
    for _ in $(seq 1 300); do
        curl -fs "http://127.0.0.1:$2$READY_PATH" >/dev/null 2>&1 && return 0
        kill -0 "$3" 2>/dev/null || { echo "instance $1 exited:" >&2; cat "$DIR/$1.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "instance $1 not ready on $READY_PATH after 60 s:" >&2
    tail -n 30 "$DIR/$1.log" >&2
    exit 1
}
# A migrates the empty database and loads the demo kindergarten; B starts on it after.
start_instance a "$PORT_A" --demo
A_PID="$STARTED_PID"
wait_ready a "$PORT_A" "$A_PID"
start_instance b "$PORT_B"
B_PID="$STARTED_PID"
wait_ready b "$PORT_B" "$B_PID"
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PROXY_PORT/login" >/dev/null 2>&1 && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$DIR/error.log" >&2; exit 1; }
    sleep 0.1
done

# Requests in the access log from line $1 on, per instance that answered them.
served_by() {
    tail -n "+$1" "$DIR/access.log" | sed -n 's/.* ua="\([^"]*\)".*/\1/p' | sort | uniq -c
}

# --- 1. marking through the proxy -------------------------------------------------------
log "Playwright: marking through the proxy (tests/proxy.spec.ts)"
from=$(($(wc -l <"$DIR/access.log") + 1))
TABEL_OIDC_PORT="$(free_port)" TABEL_OIDC_CONTROL_PORT="$(free_port)"
export TABEL_OIDC_PORT TABEL_OIDC_CONTROL_PORT
(cd "$ROOT/end2end" && TABEL_E2E_PROXY=1 TABEL_BASE_URL="http://127.0.0.1:$PROXY_PORT" \
    npx playwright test tests/proxy.spec.ts) \
    || { tail -n 30 "$DIR/a.log" "$DIR/b.log" "$DIR/error.log" >&2; exit 1; }
echo "requests of the Playwright run, by the instance that answered:"
served="$(served_by "$from")"
echo "$served"
for port in "$PORT_A" "$PORT_B"; do
    printf '%s\n' "$served" | grep -q " 127.0.0.1:$port\$" \
        || { echo "instance on $port answered nothing of the Playwright run" >&2; exit 1; }
done
refused="$(tail -n "+$from" "$DIR/access.log" | grep -c '"POST [^"]*" 403 ' || true)"
[ "$refused" -eq 0 ] || { echo "$refused writes refused with 403 through the proxy (Host/Origin?)" >&2; exit 1; }

# --- 2. stopping an instance under load -------------------------------------------------
# /login is a page the app renders (Leptos SSR, with its CSP nonce), not a static file.
log "wrk: ${WRK_SECONDS}s, $CONNECTIONS connections on /login through the proxy; SIGTERM to A after ${STOP_AFTER}s"
from=$(($(wc -l <"$DIR/access.log") + 1))
wrk -t2 -c"$CONNECTIONS" -d"${WRK_SECONDS}s" --timeout 5s --latency \
    "http://127.0.0.1:$PROXY_PORT/login" >"$DIR/wrk.txt" 2>&1 &
WRK_PID=$!
sleep "$STOP_AFTER"
stopped_at=$(date +%s.%N)
kill -TERM "$A_PID"
wait "$WRK_PID" || { cat "$DIR/wrk.txt"; echo "wrk failed" >&2; exit 1; }
cat "$DIR/wrk.txt"
# A drains and exits by itself (its exit status: 0).
for _ in $(seq 1 100); do
    kill -0 "$A_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$A_PID" 2>/dev/null; then
    echo "instance A still running 10 s after SIGTERM" >&2
    exit 1
fi
a_status=0
wait "$A_PID" || a_status=$?
A_PID=""
echo "instance A exited with status $a_status; SIGTERM at $(date -d "@$stopped_at" +%T.%N | cut -c1-12)"
echo "requests of the wrk run, by the instance that answered (\"x, y\": x failed, y answered):"
served_by "$from"
echo "nginx's error log (upstream failures are the instance stopping):"
grep -v '\[notice\]' "$DIR/error.log" || echo "(nothing)"

failed=0
requests="$(sed -n 's/^ *\([0-9]\+\) requests in .*/\1/p' "$DIR/wrk.txt")"
[ "${requests:-0}" -gt 0 ] || { echo "wrk made no requests" >&2; failed=1; }
if errors="$(grep 'Socket errors:' "$DIR/wrk.txt")"; then
    # "Socket errors: connect 0, read 0, write 0, timeout 0"
    if [ -n "$(printf '%s' "$errors" | grep -oE '[0-9]+' | grep -v '^0$')" ]; then
        echo "wrk saw socket errors: $errors" >&2
        failed=1
    fi
fi
if non2xx="$(grep 'Non-2xx or 3xx responses:' "$DIR/wrk.txt")"; then
    echo "wrk saw failed answers: $non2xx" >&2
    failed=1
fi
# 499: wrk itself hung up on the requests it had in flight when its time was up.
bad="$(tail -n "+$from" "$DIR/access.log" | grep -vE '" ([23][0-9]{2}|499) [0-9]+ rt=' | head -n 20 || true)"
[ -z "$bad" ] || { echo "nginx answered with errors:"; echo "$bad"; failed=1; } >&2
[ "$a_status" -eq 0 ] || { echo "instance A exited with status $a_status after SIGTERM" >&2; failed=1; }
curl -fs -o /dev/null "http://127.0.0.1:$PROXY_PORT/login" \
    || { echo "the proxy does not answer with B alone" >&2; failed=1; }
[ "$failed" -eq 0 ] || exit 1

OK=1
log "test-proxy passed: $requests requests, none failed, while instance A stopped"
