#!/usr/bin/env bash
# `cpack -G DEB` makes a .deb with the right metadata (dependencies from
# dpkg-shlibdeps, one for every library the binary links, plus clang's
# headers; maintainer, section, description) and contents (binary, man page,
# completions, editor files, hook; nothing outside /usr), and the tool
# unpacked from it works on its own (installed_checks.sh).  Skipped (77)
# without dpkg-deb or dpkg-shlibdeps (package dpkg-dev).
# usage: test_package.sh TASKLINT_BINARY SOURCE_DIR BUILD_DIR
set -u
SRC=$(cd "$2" && pwd)
BUILD=$(cd "$3" && pwd)
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (scripts/setup.sh installs dpkg-dev)"
        exit 77
    fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# shellcheck source=installed_checks.sh
source "$SRC/tests/install/installed_checks.sh"

if ! (cd "$T" && cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$T/pkg") >"$T/cpack.log" 2>&1; then
    fail "cpack -G DEB: $(tail -5 "$T/cpack.log")"
    echo "$fails failed"
    exit 1
fi
debs=("$T"/pkg/tasklint_*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || { fail "no single tasklint_*.deb: ${debs[*]}"; exit 1; }
deb=${debs[0]}
version=$(sed -n 's/^project(tasklint VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "tasklint_${version}_$arch.deb" ] || fail "package file name $(basename "$deb")"
ok "cpack -G DEB made $(basename "$deb")"

# ---- metadata ----
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tasklint ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Section)" = devel ] || fail "Section: $(field Section)"
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^\>]+@[^\>]+\>$ ]] || fail "Maintainer: $(field Maintainer)"
desc=$(field Description)
[ "$(wc -l <<<"$desc")" -ge 2 ] && grep -q 'libclang' <<<"$desc" \
    || fail "Description has no long description: $desc"
depends=$(field Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//')
for pkg in libclang1-19 libsqlite3-0 libc6 libclang-common-19-dev; do
    grep -qx "$pkg" <<<"$depends" || fail "Depends lacks $pkg: $(field Depends)"
done
# every library the binary links comes from a package it depends on
dpkg -x "$deb" "$T/root"
while read -r soname path; do
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null ||
        dpkg -S "/usr$path" 2>/dev/null)
    owner=${owner%%:*}
    if [ -z "$owner" ]; then
        fail "no package owns $path ($soname)"
    elif ! grep -qx "$owner" <<<"$depends"; then
        fail "Depends lacks $owner, which has $soname: $(field Depends)"
    fi
done < <(
    needed=$(readelf -d "$T/root/usr/bin/tasklint" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    ldd "$T/root/usr/bin/tasklint" | awk '$2 == "=>" {print $1, $3}' | grep -F -w -f <(printf '%s\n' $needed)
)
ok "Depends: $(field Depends)"

# ---- contents ----
listing=$(dpkg-deb -c "$deb")
contents=$(awk '{print $NF}' <<<"$listing")
for f in ./usr/bin/tasklint ./usr/bin/tasklint-pre-commit ./usr/share/man/man1/tasklint.1.gz \
    ./usr/share/bash-completion/completions/tasklint ./usr/share/zsh/site-functions/_tasklint \
    ./usr/share/tasklint/editors/vim/compiler/tasklint.vim \
    ./usr/share/tasklint/editors/emacs/flymake-tasklint.el; do
    grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done
outside=$(grep -vE '^\./$|^\./usr(/|$)' <<<"$contents")
[ -z "$outside" ] || fail "files outside /usr: $outside"
grep -qE '^-rwxr-xr-x .* \./usr/bin/tasklint$' <<<"$listing" || fail "tasklint is not executable"
ok "the package holds the binary, man page, completions, editor files and the hook"

# ---- the unpacked tool ----
check_installed "$T/root/usr"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
