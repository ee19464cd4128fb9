#!/usr/bin/env bash
# Sizes of the built client (raw, and the gzip -9 and brotli copies the build makes), for
# the marking page's download and for the whole site. Run after `build_release`
# (scripts/setup.sh); BENCHMARKS.md «The tablet's first load» quotes it.
set -euo pipefail
SITE="${1:-$(cd "$(dirname "$0")/.." && pwd)/target/site}"

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo 0; fi; }

# file list on stdin; prints "raw gzip brotli" summed
sum() {
    local raw=0 gz=0 br=0 file
    while IFS= read -r file; do
        raw=$((raw + $(size "$file")))
        gz=$((gz + $(size "$file.gz")))
        br=$((br + $(size "$file.br")))
    done
    echo "$raw $gz $br"
}

report() {
    local label="$1" raw gz br
    read -r raw gz br
    printf '%-34s %10s raw %9s gzip -9 %9s brotli\n' "$label" "$raw" "$gz" "$br"
}

pkg="$SITE/pkg"
# What the marking page loads: the JS glue, the wasm and offline.js.
printf '%s\n' "$pkg/tabel.js" "$pkg/tabel.wasm" "$SITE/offline.js" | sum | report "marking page (js + wasm)"
printf '%s\n' "$pkg/tabel.wasm" | sum | report "  of which the wasm"
find "$SITE" -type f \( -name '*.wasm' -o -name '*.js' \) ! -name sw.js | sort | sum | report "whole site (every js + wasm)"
