#!/bin/sh
# Set up lineage on Debian 12 (system packages, a virtualenv, the package) and
# run it:  sh scripts/setup.sh --run   checks the sample inventory
#          sh scripts/setup.sh --test  runs the whole test suite
# Run as root, or as a user who may sudo. Safe to run again: it only installs
# what is missing.
set -eu
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
# Without a CJK font every kana and kanji in a drawing is a hex box.
if ! command -v fc-list >/dev/null 2>&1 || ! fc-list | grep -qi "IPAexGothic"; then
    missing="$missing fonts-ipaexfont-gothic"
fi
# Debian's python3 ships without venv and ensurepip.
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing="$missing python3-venv"
if [ -n "$missing" ]; then
    echo "setup: installing system packages:$missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is wanted
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

case "${1:-}" in
    --run)
        code=0
        .venv/bin/lineage check inventories/monocollabo || code=$?
        echo
        echo "lineage check exited with $code (0: no violation, 1: violations found -" \
             "the sample has eight on purpose, 2: could not run)."
        [ "$code" -le 1 ] || exit "$code"
        ;;
    --test)
        if [ -f scripts/install-test-tools.sh ]; then
            sh scripts/install-test-tools.sh
        fi
        exec .venv/bin/python -m pytest
        ;;
    "") ;;
    *) echo "usage: sh scripts/setup.sh [--run|--test]" >&2; exit 2 ;;
esac
