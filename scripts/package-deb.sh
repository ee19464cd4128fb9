#!/usr/bin/env bash
# Builds the Debian package target/debian/tabel_<version>_<arch>.deb from an existing
# release build (scripts/setup.sh build_release: target/release/tabel and target/site),
# with plain dpkg-deb: no cargo-deb, nothing to install. Prints the .deb's path.
#
# Environment (all optional):
#   TABEL_BIN          the server binary         (default target/release/tabel)
#   TABEL_SITE         the built site            (default target/site)
#   TABEL_DEB_VERSION  the package version       (default: server/Cargo.toml's version
#                      plus +<commit count>.g<short sha> in a git checkout, so that a
#                      later commit's package upgrades an earlier one's)
#   TABEL_DEB_OUT      where the .deb is written (default target/debian)
#   TABEL_DEB_MAINTAINER                         (default "Tabel maintainers <tabel@localhost>")
#   TABEL_DEB_STRIP    debug (default): drop debug info, keep the symbol table so that
#                      panics' backtraces name functions; all: strip every symbol
#                      (about 12 MB smaller)
# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"

die() { printf 'package-deb: %s\n' "$*" >&2; exit 1; }

BIN="${TABEL_BIN:-$ROOT/target/release/tabel}"
SITE="${TABEL_SITE:-$ROOT/target/site}"
OUT="${TABEL_DEB_OUT:-$ROOT/target/debian}"
MAINTAINER="${TABEL_DEB_MAINTAINER:-Tabel maintainers <tabel@localhost>}"
PKG="$ROOT/packaging/debian"

for tool in dpkg-deb dpkg strip objdump ldd; do
    command -v "$tool" >/dev/null || die "$tool is needed (packages dpkg, binutils, libc-bin)"
done
[ -x "$BIN" ] || die "no release build: $BIN is missing. Build it first (scripts/setup.sh build_release, i.e. cargo leptos build --release --precompress) or set TABEL_BIN."
compgen -G "$SITE/pkg/*.wasm" >/dev/null \
    || die "no built site: $SITE/pkg/*.wasm is missing. Build it first (cargo leptos build --release --precompress) or set TABEL_SITE."

# --- version and architecture -------------------------------------------------

cargo_version() { # the [package] version of server/Cargo.toml, or the workspace's
    awk -v section="$2" '
        /^\[/ { in_section = ($0 == section) }
        in_section && /^version[[:space:]]*=/ { gsub(/^[^"]*"|".*$/, ""); print; exit }
    ' "$1"
}
if [ -n "${TABEL_DEB_VERSION:-}" ]; then
    VERSION="$TABEL_DEB_VERSION"
else
    VERSION="$(cargo_version "$ROOT/server/Cargo.toml" '[package]')"
    [ -n "$VERSION" ] || VERSION="$(cargo_version "$ROOT/Cargo.toml" '[workspace.package]')"
    [ -n "$VERSION" ] || die "no version = \"…\" in server/Cargo.toml [package] or Cargo.toml [workspace.package]"
    if git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        # The commit count makes versions increase commit by commit on one branch
        # (a shallow clone counts only its depth); the hash says which commit it is.
        VERSION="$VERSION+$(git -C "$ROOT" rev-list --count HEAD).g$(git -C "$ROOT" rev-parse --short=7 HEAD)"
    fi
fi
dpkg --validate-version "$VERSION" 2>/dev/null || die "not a Debian version: $VERSION"
ARCH="$(dpkg --print-architecture)"

# --- dependencies: the shared libraries the binary links ------------------------

# Debian's package of each library `ldd` resolves (libc6 at the newest GLIBC_ symbol
# version the binary uses, so it refuses to install on an older glibc).
depends_of_binary() {
    local glibc lib path pkg
    glibc="$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n1)"
    while read -r lib path; do
        pkg=""
        for candidate in "$path" "$(readlink -f "$path")" "/usr$path"; do
            pkg="$(dpkg-query -S "$candidate" 2>/dev/null | awk -F: 'NR == 1 { print $1 }')" || true
            [ -n "$pkg" ] && break
        done
        [ -n "$pkg" ] || die "$BIN links $lib ($path), which no installed Debian package holds"
        if [ "$pkg" = libc6 ] && [ -n "$glibc" ]; then
            echo "libc6 (>= $glibc)"
        else
            echo "$pkg"
        fi
    done < <(ldd "$BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
}
LIB_DEPENDS="$(depends_of_binary)" # not in a pipe: a failure must stop the script
DEPENDS="adduser, ca-certificates"
while read -r dep; do
    [ -n "$dep" ] && DEPENDS="$DEPENDS, $dep"
done < <(sort -u <<<"$LIB_DEPENDS")

# --- the file tree --------------------------------------------------------------

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
chmod 0755 "$STAGE"

log "package-deb: tabel $VERSION ($ARCH) from $BIN and $SITE"
install -D -m 0755 "$BIN" "$STAGE/usr/bin/tabel"
case "${TABEL_DEB_STRIP:-debug}" in
    debug) strip --strip-debug --remove-section=.comment "$STAGE/usr/bin/tabel" ;;
    all) strip --strip-unneeded --remove-section=.comment "$STAGE/usr/bin/tabel" ;;
    *) die "TABEL_DEB_STRIP must be debug or all" ;;
esac

install -d -m 0755 "$STAGE/usr/share/tabel"
cp -R "$SITE" "$STAGE/usr/share/tabel/site"
find "$STAGE/usr/share/tabel/site" -type d -exec chmod 0755 {} +
find "$STAGE/usr/share/tabel/site" -type f -exec chmod 0644 {} +

install -D -m 0644 "$PKG/tabel.service" "$STAGE/lib/systemd/system/tabel.service"
# 0640 here; postinst gives it to group tabel, which exists only then.
install -D -m 0640 "$PKG/tabel.env" "$STAGE/etc/tabel/tabel.env"

DOC="$STAGE/usr/share/doc/tabel"
install -D -m 0644 "$ROOT/README.md" "$DOC/README.md"
if [ -f "$ROOT/docs/deployment.md" ]; then
    install -m 0644 "$ROOT/docs/deployment.md" "$DOC/deployment.md"
fi
if [ -f "$ROOT/packaging/nginx/tabel.conf" ]; then
    install -D -m 0644 "$ROOT/packaging/nginx/tabel.conf" "$DOC/examples/nginx-tabel.conf"
fi
LICENSE="$(awk '/^\[/ { s = ($0 == "[workspace.package]") } s && /^license[[:space:]]*=/ { gsub(/^[^"]*"|".*$/, ""); print; exit }' "$ROOT/Cargo.toml")"
cat > "$DOC/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tabel

Files: *
Copyright: the Tabel authors
License: ${LICENSE:-see Cargo.toml}
COPYRIGHT
chmod 0644 "$DOC/copyright"

# --- DEBIAN/ ----------------------------------------------------------------------

install -d -m 0755 "$STAGE/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$PKG/$script" "$STAGE/DEBIAN/$script"
done
echo /etc/tabel/tabel.env > "$STAGE/DEBIAN/conffiles"
chmod 0644 "$STAGE/DEBIAN/conffiles"

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, one per
# directory or link.
INSTALLED_SIZE="$(find "$STAGE" -path "$STAGE/DEBIAN" -prune -o ! -path "$STAGE" -printf '%y %s\n' \
    | awk '{ s += ($1 == "f") ? int(($2 + 1023) / 1024) : 1 } END { print s }')"

sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@MAINTAINER@|$MAINTAINER|" \
    -e "s|@INSTALLED_SIZE@|$INSTALLED_SIZE|" -e "s|@DEPENDS@|$DEPENDS|" \
    "$PKG/control" > "$STAGE/DEBIAN/control"
chmod 0644 "$STAGE/DEBIAN/control"
if grep -q '@[A-Z_]*@' "$STAGE/DEBIAN/control"; then
    die "packaging/debian/control has a placeholder this script does not fill: $(grep -o '@[A-Z_]*@' "$STAGE/DEBIAN/control" | head -n1)"
fi

mkdir -p "$OUT"
DEB="$OUT/tabel_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$STAGE" "$DEB" >/dev/null
log "package-deb: wrote $DEB (Depends: $DEPENDS)"
echo "$DEB"
