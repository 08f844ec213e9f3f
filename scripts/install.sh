#!/usr/bin/env bash
# Installs Tripline like a system tool:
#
#   scripts/install.sh [--prefix DIR] [--destdir DIR] [--binary FILE] [--no-man] [--uninstall]
#
#   --prefix DIR   where it goes (default /usr/local): DIR/bin/tripline, the MCP server's program
#                  DIR/libexec/tripline/tripline-mcp, DIR/share/man/man1/, shell completions,
#                  DIR/share/tripline/themes/, DIR/lib/systemd/system/
#   --destdir DIR  stage everything under DIR instead of / (for packages); nothing else is touched
#   --binary FILE  install this binary instead of building one (it is stripped all the same), and
#                  the tripline-mcp beside it when there is one
#   --no-man       no manual pages (they need argument-parser's generate-manual tool built)
#   --uninstall    remove what an earlier install with the same --prefix put there
#
# The build is a release build with the Swift runtime linked in (--static-swift-stdlib), so the
# binaries run without the toolchain; they still need the C libraries they were built against
# (ncurses, zlib, liblzma, libzstd, libsystemd, and for tripline-mcp libcurl: Debian's
# libncursesw6 zlib1g liblzma5 libzstd1 libsystemd0 libcurl4; building needs
# libcurl4-openssl-dev). `tripline mcp` runs tripline-mcp (the MCP SDK's networking libraries
# are loaded by that program alone, not at the start of every command). Manual pages are
# generated from the command definitions (swift-argument-parser's generate-manual tool, run on
# the binary being installed), completions by the binary itself. The systemd units need no
# user: systemd makes one per service (DynamicUser=), with /var/lib/tripline as its state folder
# and /etc/tripline as its configuration folder. A list of what was installed is kept in
# DIR/share/tripline/installed-files for --uninstall.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=/usr/local
DESTDIR=""
BINARY=""
MAN=1
UNINSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=${2:?--prefix needs a folder}; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --destdir) DESTDIR=${2:?--destdir needs a folder}; shift 2 ;;
    --destdir=*) DESTDIR=${1#*=}; shift ;;
    --binary) BINARY=${2:?--binary needs a file}; shift 2 ;;
    --binary=*) BINARY=${1#*=}; shift ;;
    --no-man) MAN=0; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
  esac
done
case "$PREFIX" in /*) ;; *) echo "install.sh: --prefix must be an absolute path, not '$PREFIX'" >&2; exit 64 ;; esac
PREFIX=${PREFIX%/}
ROOT="$DESTDIR$PREFIX"
MANIFEST="$ROOT/share/tripline/installed-files"

if [ "$UNINSTALL" = 1 ]; then
  if [ ! -f "$MANIFEST" ]; then
    echo "install.sh: nothing to uninstall: no $MANIFEST (was it installed with --prefix $PREFIX?)" >&2
    exit 2
  fi
  n=0
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then rm -f -- "$DESTDIR$f"; n=$((n + 1)); fi
  done < "$MANIFEST"
  rm -f -- "$MANIFEST"
  # Folders left empty (never the prefix's own bin, share, lib …).
  for d in share/tripline/themes share/tripline share/doc/tripline libexec/tripline; do rmdir -- "$ROOT/$d" 2>/dev/null || true; done
  echo "removed $n files from $ROOT"
  [ -z "$DESTDIR" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ] && systemctl daemon-reload 2>/dev/null || true
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$BINARY" ]; then
  # Linking Foundation in statically needs libcurl's development files (FoundationNetworking,
  # which the MCP library uses); tripline-mcp then needs libcurl4 at run time, as any Debian has.
  if [ ! -e /usr/include/curl/curl.h ] && [ ! -e "/usr/include/$(uname -m)-linux-gnu/curl/curl.h" ]; then
    echo "install.sh: the static build needs libcurl's headers: apt-get install libcurl4-openssl-dev (or pass --binary)" >&2
    exit 2
  fi
  echo "building (release, Swift runtime linked in)…"
  swift build -c release --static-swift-stdlib --product tripline
  swift build -c release --static-swift-stdlib --product tripline-mcp
  BINARY=.build/release/tripline
fi
[ -x "$BINARY" ] || { echo "install.sh: no executable at $BINARY" >&2; exit 2; }

installed=()
put() { # put MODE SOURCE RELATIVE-DESTINATION
  install -D -m "$1" "$2" "$ROOT/$3"
  installed+=("$PREFIX/$3")
}

# The binary, stripped.
cp "$BINARY" "$work/tripline"
strip --strip-unneeded "$work/tripline" 2>/dev/null || echo "install.sh: strip failed; installing the binary as it is" >&2
put 0755 "$work/tripline" bin/tripline
# The MCP server's program, which `tripline mcp` finds in ../libexec/tripline.
MCP_BINARY="$(dirname "$BINARY")/tripline-mcp"
if [ -x "$MCP_BINARY" ]; then
  cp "$MCP_BINARY" "$work/tripline-mcp"
  strip --strip-unneeded "$work/tripline-mcp" 2>/dev/null || echo "install.sh: strip failed; installing tripline-mcp as it is" >&2
  put 0755 "$work/tripline-mcp" libexec/tripline/tripline-mcp
else
  echo "install.sh: note: no tripline-mcp beside $BINARY: 'tripline mcp' will not run until it is installed" >&2
fi
if ldd "$work/tripline" 2>/dev/null | grep -q 'libswiftCore'; then
  echo "install.sh: note: $BINARY links the Swift runtime dynamically; it needs the toolchain's libraries to run (build with scripts/install.sh, without --binary, to link them in)" >&2
fi

# Manual pages, from the command definitions: tripline(1) and tripline-COMMAND(1).
if [ "$MAN" = 1 ]; then
  echo "generating manual pages…"
  mkdir -p "$work/man"
  # swift-argument-parser's generate-manual tool (the generate-manual plugin's, built alone in
  # seconds) asks the binary being installed for its commands (--experimental-dump-help).
  swift build --product generate-manual >/dev/null
  "$(swift build --show-bin-path)/generate-manual" "$work/tripline" --multi-page \
    --authors "Tripline developers" --output-directory "$work/man" >/dev/null
  for page in "$work"/man/*.1; do
    name=$(basename "$page" .1)      # tripline.analyze
    name=${name//./-}                # tripline-analyze
    # The pages name each other as the files are named: the title (.Dt TRIPLINE.ANALYZE) and
    # SEE ALSO (.Xr tripline.alert 1) say tripline-analyze, so that `man tripline-alert` finds
    # what a page points at.
    sed -E -e 's/^\.Dt TRIPLINE\./.Dt TRIPLINE-/' -e 's/^\.Xr tripline\.([a-z-]+)/.Xr tripline-\1/' "$page" > "$page.renamed"
    put 0644 "$page.renamed" "share/man/man1/$name.1"
  done
fi

# Completions, from the binary.
"$work/tripline" --generate-completion-script bash > "$work/tripline.bash"
"$work/tripline" --generate-completion-script zsh > "$work/_tripline"
"$work/tripline" --generate-completion-script fish > "$work/tripline.fish"
put 0644 "$work/tripline.bash" share/bash-completion/completions/tripline
put 0644 "$work/_tripline" share/zsh/site-functions/_tripline
put 0644 "$work/tripline.fish" share/fish/vendor_completions.d/tripline.fish

# Themes, where the binary looks for them (its ../share/tripline/themes).
for t in themes/*.toml; do put 0644 "$t" "share/tripline/themes/$(basename "$t")"; done

# An example configuration (the .deb installs it as /etc/tripline/tripline.toml).
put 0644 deploy/tripline.toml share/doc/tripline/tripline.toml.example
put 0644 LICENSE share/doc/tripline/LICENSE

# systemd units, running the binary installed here.
for u in deploy/*.service deploy/*.timer; do
  sed "s|/usr/local/bin/tripline|$PREFIX/bin/tripline|g" "$u" > "$work/$(basename "$u")"
  put 0644 "$work/$(basename "$u")" "lib/systemd/system/$(basename "$u")"
done

mkdir -p "$(dirname "$MANIFEST")"
printf '%s\n' "${installed[@]}" > "$MANIFEST"
echo "installed ${#installed[@]} files under $ROOT (list: $MANIFEST)"
if [ -z "$DESTDIR" ]; then
  echo
  echo "next steps:"
  echo "  $PREFIX/bin/tripline --help              (man tripline, man tripline-analyze, …)"
  case "$PREFIX" in
    /usr|/usr/local)
      # Folders systemd reads units from.
      echo "  systemctl daemon-reload"
      echo "  systemctl start tripline-train           (a model from this machine's logs, into /var/lib/tripline)"
      echo "  systemctl enable --now tripline-batch.timer tripline-api"
      ;;
    *)
      # systemd reads units from /usr/lib, /usr/local/lib and /etc, not from $PREFIX/lib.
      units=$(cd "$ROOT/lib/systemd/system" && ls)
      echo "  the systemd units are in $PREFIX/lib/systemd/system, where systemd does not look for them;"
      echo "  to run Tripline as a service, link them (as root), then start them:"
      echo "    systemctl link $(for u in $units; do printf '%s ' "$PREFIX/lib/systemd/system/$u"; done)"
      echo "    systemctl start tripline-train && systemctl enable --now tripline-batch.timer tripline-api"
      echo "  (or install with --prefix /usr/local, which systemd reads)"
      ;;
  esac
  echo "  settings: /etc/tripline/tripline.toml (example: $PREFIX/share/doc/tripline/tripline.toml.example)"
  echo "uninstall: scripts/install.sh --prefix $PREFIX --uninstall"
  command -v systemctl >/dev/null && [ -d /run/systemd/system ] && systemctl daemon-reload 2>/dev/null || true
fi
