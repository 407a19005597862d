#!/bin/sh
# Install the tools the test suite drives from outside Python, once:
#   - Debian's chromium, to open the HTML report and the explorer page headless
#     (tests/test_report_browser.py; tests/test_explore_browser.py drives it with the
#     playwright package from the test extra, pointed at this binary);
#   - Microsoft's SARIF multitool and the SARIF 2.1.0 JSON schema, from the npm
#     registry package @microsoft/sarif-multitool-linux, into .tools/sarif
#     (tests/test_sarif.py).
# Safe to run again: it installs only what is missing. Run as root or as a user
# who may sudo. Called by `sh scripts/setup.sh --test`.
set -eu
cd "$(dirname "$0")/.."

SARIF_VERSION=5.7.0
SARIF_DIR=.tools/sarif
SARIF_PKG="$SARIF_DIR/node_modules/@microsoft/sarif-multitool-linux"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
# The node binary inside the playwright wheel (its driver) links against libatomic,
# which a minimal Debian lacks.
[ -e /usr/lib/x86_64-linux-gnu/libatomic.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libatomic.so.1 ] \
    || missing="$missing libatomic1"
if [ ! -x "$SARIF_PKG/Sarif.Multitool" ]; then
    command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
    echo "install-test-tools: installing system packages:$missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is wanted
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing
fi

installed=""
if [ -f "$SARIF_PKG/package.json" ]; then
    installed=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$SARIF_PKG/package.json" | head -n 1)
fi
if [ "$installed" != "$SARIF_VERSION" ] || [ ! -x "$SARIF_PKG/Sarif.Multitool" ]; then
    echo "install-test-tools: installing @microsoft/sarif-multitool-linux@$SARIF_VERSION into $SARIF_DIR"
    mkdir -p "$SARIF_DIR"
    npm install --prefix "$SARIF_DIR" --no-audit --no-fund --no-save --silent \
        "@microsoft/sarif-multitool-linux@$SARIF_VERSION"
    chmod +x "$SARIF_PKG/Sarif.Multitool"
fi
