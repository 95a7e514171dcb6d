#!/usr/bin/env bash
# setup.sh - install what tasklint needs (Debian/Ubuntu) and build it.
#
# Idempotent: packages are installed only when dpkg says some are missing,
# and the build is incremental.  TASKLINT_SANITIZE=1 builds with ASan+UBSan
# into build-asan/ instead of build/.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(cmake make gcc clang-19 libclang-19-dev libcmocka-dev libsqlite3-dev pkg-config
          libuv1-dev libevent-dev liburing-dev)

missing=()
if command -v dpkg >/dev/null 2>&1; then
    for p in "${PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
else
    echo "setup.sh: no dpkg: install these packages by hand: ${PACKAGES[*]}" >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup.sh: installing ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "setup.sh: not root and no sudo: install ${missing[*]} first" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "${TASKLINT_SANITIZE:-0}" = 1 ]; then
    BUILD=build-asan
    FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASKLINT_SANITIZE=ON)
else
    BUILD=build
    FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
JOBS=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$BUILD" "${FLAGS[@]}" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
echo "setup.sh: built $BUILD/tasklint"
