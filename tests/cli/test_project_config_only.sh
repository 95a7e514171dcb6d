#!/usr/bin/env bash
# A project's own coroutine library or annotation macros, taught by its
# .tasklint.yaml alone: the same sources give their findings with the
# fixture's config and none without it (--no-config), so it is the config
# (data), not the engine, that knows lwan's coro_new or QEMU's coroutine_fn.
set -u
TL=$1
SRC=$2
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name  findings-with-config
    local name=$1 want=$2 out rc n
    cp -r "$SRC/fixtures/blocking-in-coroutine/$name" "$tmp/$name"
    out=$("$TL" -q -j2 "$tmp/$name" 2>&1)
    rc=$?
    n=$(grep -c ': warning: ' <<<"$out")
    [ "$rc" = 1 ] && [ "$n" = "$want" ] || fail "$name with its config: exit $rc, $n findings (want 1, $want)"$'\n'"$out"
    out=$("$TL" -q -j2 --no-config "$tmp/$name" 2>&1)
    rc=$?
    n=$(grep -c ': warning: ' <<<"$out")
    [ "$rc" = 0 ] && [ "$n" = 0 ] || fail "$name without a config: exit $rc, $n findings (want 0, 0)"$'\n'"$out"
    [ "$fails" = 0 ] && echo "ok   $name: $want findings with its .tasklint.yaml, none without"
}

check lwan_coro_config 3
check qemu_coroutine_fn 3
exit $((fails > 0))
