#!/usr/bin/env bash
# Builds dist/tripline_VERSION_ARCH.deb with dpkg-deb: the files scripts/install.sh puts under
# /usr (binary, manual pages, completions, themes, systemd units), /etc/tripline/tripline.toml
# as a conffile, Depends: on the packages of the libraries the binary really loads, and
# maintainer scripts that register the units with deb-systemd-helper (none is enabled or
# started: `systemctl start tripline-train`, then enable what you want).
#
#   scripts/package-deb.sh [--binary FILE] [--no-man] [--out DIR]
#
# --binary and --no-man are passed to install.sh (a prebuilt binary, no manual pages).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=dist
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) pass+=(--binary "$(realpath "${2:?--binary needs a file}")"); shift 2 ;;
    --no-man) pass+=(--no-man); shift ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package-deb.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
  esac
done
for tool in dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null || { echo "package-deb.sh: $tool is needed (Debian's dpkg)" >&2; exit 2; }
done

VERSION=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/TriplineCore/TriplineBuild.swift)
[ -n "$VERSION" ] || { echo "package-deb.sh: no version in Sources/TriplineCore/TriplineBuild.swift" >&2; exit 2; }
ARCH=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"

scripts/install.sh --prefix /usr --destdir "$root" "${pass[@]}" >/dev/null
rm -f "$root/usr/share/tripline/installed-files" # dpkg keeps the list
install -D -m 0644 deploy/tripline.toml "$root/etc/tripline/tripline.toml"

# Depends: the package of every shared library the binaries need themselves (their NEEDED
# entries, found where ldd resolves them here; their own dependencies are their packages' business).
deps=()
binaries=("$root/usr/bin/tripline")
[ -e "$root/usr/libexec/tripline/tripline-mcp" ] && binaries+=("$root/usr/libexec/tripline/tripline-mcp")
needed=$(for b in "${binaries[@]}"; do readelf -d "$b" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' || true; done | sort -u)
while read -r lib; do
  [ -n "$lib" ] || continue
  pkg=$(dpkg-query -S "$lib" 2>/dev/null | head -n1 | cut -d: -f1) || true
  if [ -z "$pkg" ]; then # merged /usr: the package may list the other spelling of the path
    alt=${lib/#\/usr\/lib/\/lib}; [ "$alt" = "$lib" ] && alt=${lib/#\/lib/\/usr\/lib}
    pkg=$(dpkg-query -S "$alt" 2>/dev/null | head -n1 | cut -d: -f1) || true
  fi
  if [ -z "$pkg" ]; then
    echo "package-deb.sh: no Debian package provides $lib (a toolchain library? build without --binary, which links the Swift runtime in)" >&2
    exit 2
  fi
  deps+=("$pkg")
done < <(for b in "${binaries[@]}"; do ldd "$b" 2>/dev/null; done | awk -v want="$needed" 'BEGIN { n = split(want, w, "\n"); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
  $2 == "=>" && $3 ~ /^\// && ($1 in keep) { print $3 } $1 ~ /^\// && ($1 in keep) { print $1 }' | sort -u)
depends=""
[ ${#deps[@]} -eq 0 ] || depends="Depends: $(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')"

size=$(du -sk "$root" | cut -f1)
mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<EOF
Package: tripline
Version: $VERSION
Architecture: $ARCH
Maintainer: Tripline developers <tripline@localhost>
Installed-Size: $size
${depends:+$depends
}Section: admin
Priority: optional
Description: log anomaly detector for security operations
 Tripline reads auth logs (files, gzip-rotated files, the systemd journal) and
 finds brute force, password spraying, account takeover and other attacks, with
 reasons and evidence: a live terminal dashboard, batch runs with alert sinks
 (Slack, Splunk HEC, Elasticsearch, webhooks), a REST API and an MCP server.
EOF
echo /etc/tripline/tripline.toml > "$root/DEBIAN/conffiles"
units="tripline-api.service tripline-batch.service tripline-batch.timer tripline-train.service"
cat > "$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
# Installed into another root (dpkg --root): nothing to register on this machine.
[ -z "\${DPKG_ROOT:-}" ] || exit 0
if [ "\$1" = configure ] && command -v deb-systemd-helper >/dev/null; then
  for u in $units; do deb-systemd-helper update-state "\$u" >/dev/null || true; done
fi
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
exit 0
EOF
cat > "$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
[ -z "\${DPKG_ROOT:-}" ] || exit 0
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then
  deb-systemd-invoke stop $units >/dev/null 2>&1 || true
fi
exit 0
EOF
cat > "$root/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
[ -z "\${DPKG_ROOT:-}" ] || exit 0
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
if [ "\$1" = purge ]; then
  if command -v deb-systemd-helper >/dev/null; then
    for u in $units; do deb-systemd-helper purge "\$u" >/dev/null || true; done
  fi
  # The models and reports the services kept (StateDirectory=tripline, with DynamicUser=).
  rm -rf /var/lib/private/tripline /var/lib/tripline
fi
exit 0
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$OUT"
deb="$OUT/tripline_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
