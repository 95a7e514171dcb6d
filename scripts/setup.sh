#!/usr/bin/env bash
# setup.sh - install what tasklint needs (Debian/Ubuntu) and build it.
#
# Idempotent: packages are installed only when dpkg says some are missing,
# and the build is incremental.  TASKLINT_SANITIZE=1 builds with ASan+UBSan
# into build-asan/ instead of build/; TASKLINT_FUZZ=1 builds the libFuzzer
# targets with clang-19 into build-fuzz/ (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# dpkg-dev: dpkg-shlibdeps, for the .deb that `cpack -G DEB` makes; libuv1-dev
# ... libev-dev: the libraries whose real headers the fixtures include
PACKAGES=(cmake make gcc clang-19 libclang-19-dev libcmocka-dev libsqlite3-dev pkg-config
          libyaml-dev libjansson-dev dpkg-dev libuv1-dev libevent-dev liburing-dev
          libglib2.0-dev libev-dev libaio-dev libnng-dev libzmq3-dev)
# The test suite also drives real tools: git (baseline-commit, pre-commit),
# pre-commit, the editors (vim, neovim, emacs; Eglot and ALE for the
# language server's tests), node/npm for the SARIF
# schema validator, the shells and bash-completion for the completions, man
# and mandoc for the man page, strace for what the installed tool reads,
# python3 and /usr/bin/time for the generated hostile inputs
# (tests/cli/test_linear_cost.sh), clang's libFuzzer runtime (scripts/fuzz.sh)
# and csmith's random programs (tests/hostile), headless chromium (with its
# driver) and python3-html5lib for the HTML report (tests/report).
# scripts/test.sh sets TASKLINT_TEST_DEPS=1.
if [ "${TASKLINT_TEST_DEPS:-0}" = 1 ]; then
    PACKAGES+=(git python3 time pre-commit vim-nox neovim emacs-nox zsh bash-completion man-db mandoc
               strace libclang-rt-19-dev csmith libcsmith-dev chromium chromium-driver
               python3-html5lib elpa-eglot vim-ale)
    # Node.js may come from elsewhere than Debian (with its own npm, which
    # conflicts with Debian's npm package): only install what is missing.
    command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
    command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
fi

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

# npm packages of the tests (tests/sarif/package.json: ajv and friends)
if [ "${TASKLINT_TEST_DEPS:-0}" = 1 ] && [ -f tests/sarif/package.json ] && [ ! -d tests/sarif/node_modules ]; then
    echo "setup.sh: installing the npm packages of tests/sarif"
    if [ -f tests/sarif/package-lock.json ]; then
        npm ci --prefix tests/sarif --no-audit --no-fund --loglevel=error
    else
        npm install --prefix tests/sarif --no-audit --no-fund --loglevel=error
    fi
fi

if [ "${TASKLINT_FUZZ:-0}" = 1 ]; then
    BUILD=build-fuzz
    FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-19 -DTASKLINT_FUZZ=ON
           -DTASKLINT_TESTS=OFF)
elif [ "${TASKLINT_SANITIZE:-0}" = 1 ]; then
    BUILD=build-asan
    FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASKLINT_SANITIZE=ON)
else
    BUILD=build
    FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
# warnings are errors in the project's own builds (not in a user's plain build)
FLAGS+=(-DTASKLINT_WERROR=ON)
JOBS=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$BUILD" "${FLAGS[@]}" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
echo "setup.sh: built $BUILD/tasklint"
