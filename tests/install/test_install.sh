#!/usr/bin/env bash
# `cmake --install BUILD --prefix DIR` installs a tasklint that works on its
# own: see installed_checks.sh (run from /, man page, completion, hook, the
# README's pre-commit snippet).
# usage: test_install.sh TASKLINT_BINARY SOURCE_DIR BUILD_DIR
set -u
SRC=$(cd "$2" && pwd)
BUILD=$(cd "$3" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# shellcheck source=installed_checks.sh
source "$SRC/tests/install/installed_checks.sh"

if cmake --install "$BUILD" --prefix "$T/prefix" >"$T/install.log" 2>&1; then
    ok "cmake --install --prefix"
    check_installed "$T/prefix"
else
    fail "cmake --install: $(tail -5 "$T/install.log")"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
