#!/usr/bin/env bash
# Only tasklint's own databases are written.  Another program's SQLite file
# (tables but no tasklint application id, or a foreign application id) is
# refused with exit 2 by every command and left byte for byte as it was, with
# no -wal/-shm/-journal file beside it.  A .tasklint/ directory or
# findings.db that is a symlink out of the project is not followed (unless
# --db names it); a symlink beside the database (findings.db-wal) is refused.
# Usage: bash test_store_foreign.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
if ! command -v python3 >/dev/null; then
    echo "skip: python3 is needed to make foreign SQLite files"
    exit 77
fi

mkdir -p "$T/p/src"
cd "$T/p" || exit 1
touch .tasklint.yaml
cat >src/leak.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C

# another program's databases: rollback journal, WAL, a foreign application id
python3 - "$T" <<'PY'
import sqlite3, sys
d = sys.argv[1]
def make(name, wal=False, app_id=None):
    c = sqlite3.connect(f"{d}/{name}")
    if wal:
        c.execute("PRAGMA journal_mode=WAL")
    if app_id is not None:
        c.execute(f"PRAGMA application_id={app_id}")
    c.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
    c.execute("INSERT INTO notes(body) VALUES ('keep me')")
    c.commit()
    c.close()
make("plain.db")
make("wal.db", wal=True)
make("appid.db", wal=True, app_id=0x12345678)
PY
for db in plain wal appid; do
    [ -e "$T/$db.db-wal" ] || [ -e "$T/$db.db-shm" ] && { fail "$db.db: python left side files"; continue; }
    cp "$T/$db.db" "$T/$db.orig"
    for cmd in "src" "runs" "diff" "baseline set" "triage 0123456789abcdef intentional why" "baseline export $T/x.txt"; do
        # shellcheck disable=SC2086
        "$TL" --db "$T/$db.db" $cmd >"$T/out" 2>"$T/err"
        rc=$?
        [ $rc = 2 ] || { fail "$db.db, '$cmd': exit $rc, expected 2"; cat "$T/err"; }
        grep -q "^tasklint: error: .*$db.db.*tasklint will not modify it" "$T/err" ||
            { fail "$db.db, '$cmd': unclear message"; cat "$T/err"; }
        cmp -s "$T/$db.db" "$T/$db.orig" || { fail "$db.db was modified by '$cmd'"; cp "$T/$db.orig" "$T/$db.db"; }
        for side in wal shm journal; do
            [ -e "$T/$db.db-$side" ] && { fail "$db.db: '$cmd' left $db.db-$side"; rm -f "$T/$db.db-$side"; }
        done
    done
    [ -s "$T/out" ] && fail "$db.db: findings printed before the error"
done
[ -e "$T/x.txt" ] && fail "baseline export wrote a file from a foreign database"
ok "foreign SQLite databases: every command exits 2, the file is unchanged, no side files"

# an empty file is a new store
: >"$T/empty.db"
"$TL" --db "$T/empty.db" src >/dev/null 2>"$T/err"
rc=$?
[ $rc = 1 ] || { fail "empty file: exit $rc, expected 1"; cat "$T/err"; }
"$TL" --db "$T/empty.db" runs >"$T/out" 2>&1 && grep -q complete "$T/out" || fail "empty file: no run recorded"
ok "an empty file becomes a store"

# .tasklint/ or findings.db as a symlink out of the project
mkdir "$T/outside"
ln -s "$T/outside" .tasklint
"$TL" src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || { fail ".tasklint -> outside: exit $rc, expected 2"; cat "$T/err"; }
grep -q "^tasklint: error: .*\.tasklint.*symbolic link.*outside the project" "$T/err" &&
    grep -q -- "--db" "$T/err" && grep -q -- "--no-db" "$T/err" ||
    { fail ".tasklint -> outside: unclear message"; cat "$T/err"; }
[ -z "$(ls -A "$T/outside")" ] || fail ".tasklint -> outside: something was written there: $(ls -A "$T/outside")"
[ -s "$T/out" ] && fail ".tasklint -> outside: findings printed before the error"
"$TL" runs >/dev/null 2>&1; [ $? = 2 ] || fail ".tasklint -> outside: runs does not refuse"
# named with --db, the link is followed
"$TL" --db .tasklint/findings.db src >/dev/null 2>"$T/err"
rc=$?
[ $rc = 1 ] || { fail "--db through the link: exit $rc, expected 1"; cat "$T/err"; }
[ -s "$T/outside/findings.db" ] || fail "--db through the link: no store written"
rm .tasklint
rm -rf "$T/outside"/*

mkdir .tasklint
ln -s "$T/outside/elsewhere.db" .tasklint/findings.db
"$TL" src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || { fail "findings.db -> outside: exit $rc, expected 2"; cat "$T/err"; }
grep -q "^tasklint: error: .*findings.db.*symbolic link" "$T/err" || { fail "findings.db -> outside: unclear message"; cat "$T/err"; }
[ -z "$(ls -A "$T/outside")" ] || fail "findings.db -> outside: something was written there"
rm .tasklint/findings.db

# a link that stays inside the project is fine
mkdir -p cache/tl
rmdir .tasklint 2>/dev/null || rm -rf .tasklint
ln -s cache/tl .tasklint
"$TL" src >/dev/null 2>"$T/err"
rc=$?
[ $rc = 1 ] || { fail ".tasklint -> cache/tl: exit $rc, expected 1"; cat "$T/err"; }
[ -s cache/tl/findings.db ] || fail ".tasklint -> cache/tl: no store there"
ok ".tasklint or findings.db linked out of the project: refused unless --db names it"

# a symlink beside the database is never written through
rm .tasklint
mkdir .tasklint
"$TL" src >/dev/null 2>&1
printf 'victim\n' >"$T/victim"
for side in wal shm journal; do
    ln -s "$T/victim" ".tasklint/findings.db-$side"
    "$TL" src >"$T/out" 2>"$T/err"
    rc=$?
    [ $rc = 2 ] || { fail "findings.db-$side -> victim: exit $rc, expected 2"; cat "$T/err"; }
    grep -q "^tasklint: error: .*findings.db-$side.*symbolic link" "$T/err" ||
        { fail "findings.db-$side -> victim: unclear message"; cat "$T/err"; }
    grep -qx victim "$T/victim" || fail "findings.db-$side: the victim was written"
    rm ".tasklint/findings.db-$side"
done
ok "symlinks beside the database: refused, not followed"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
