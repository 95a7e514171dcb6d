#!/usr/bin/env bash
# The pre-commit hook, driven by the real `pre-commit` tool in temporary git
# repositories: a commit that adds an orphaned spawn is blocked with the
# finding shown, a clean commit passes, staged headers are skipped,
# compile_commands.json is used, and with a baseline only new findings fail.
# No network: the hook repository is a local clone and `language: script`
# needs no environment.
# usage: test_precommit.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
for tool in git pre-commit; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (scripts/setup.sh installs it with TASKLINT_TEST_DEPS=1)"
        exit 77
    fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
show() { sed 's/^/    | /' "$1"; }

# an isolated git and pre-commit: no user config, no cache outside $T
export HOME=$T/home PRE_COMMIT_HOME=$T/pre-commit-home XDG_CACHE_HOME=$T/cache
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export TASKLINT=$TL NO_COLOR=1
unset TASKLINT_COMPDB TASKLINT_BASELINE TASKLINT_PRECOMMIT_DB TASKLINT_PRECOMMIT_HEADERS
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

# The hook repository: the hook files of this checkout, committed in a fresh
# repository (they may not be committed in the checkout yet).
mkdir -p "$T/hookrepo/scripts"
cp "$SRC/.pre-commit-hooks.yaml" "$T/hookrepo/"
cp "$SRC/scripts/tasklint-pre-commit" "$T/hookrepo/scripts/"
(cd "$T/hookrepo" && git init -q && git add -A && git commit -qm hook) || { echo "FAIL hook repo"; exit 1; }
REV=$(git -C "$T/hookrepo" rev-parse HEAD)

new_project() {
    P=$T/$1
    mkdir -p "$P"
    cd "$P" || exit 1
    git init -q
    cat >.pre-commit-config.yaml <<Y
repos:
  - repo: $T/hookrepo
    rev: $REV
    hooks:
      - id: tasklint
Y
    git add .pre-commit-config.yaml
    git commit -qm config --no-verify
    pre-commit install >/dev/null || fail "pre-commit install"
}

clean_c='#include <pthread.h>
static void *run(void *arg) { return arg; }
int start_and_join(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, run, NULL) != 0)
        return -1;
    return pthread_join(t, NULL);
}'
orphan_c='#include <pthread.h>
static void *job(void *arg) { return arg; }
int start_worker(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, job, NULL) != 0)
        return -1;
    return 0;
}'

# ---- 1. a clean commit passes ------------------------------------------------
new_project p1
printf '%s\n' "$clean_c" >clean.c
git add clean.c
if git commit -qm clean >"$T/out" 2>&1; then
    echo "ok   a clean commit passes"
else
    fail "clean commit was blocked:"; show "$T/out"
fi
grep -q "tasklint" "$T/out" || fail "the hook did not run on clean.c:" "$(cat "$T/out")"

# ---- 2. a commit that adds an orphaned spawn is blocked --------------------------
printf '%s\n' "$orphan_c" >worker.c
git add worker.c
head_before=$(git rev-parse HEAD)
if git commit -qm orphan >"$T/out" 2>&1; then
    fail "the orphaned spawn was committed:"; show "$T/out"
else
    echo "ok   a commit adding an orphaned spawn is blocked"
fi
[ "$(git rev-parse HEAD)" = "$head_before" ] || fail "HEAD moved"
grep -q '^worker\.c:5:9: warning: .*\[orphaned-spawn\]' "$T/out" \
    || { fail "finding not shown:"; show "$T/out"; }
grep -q 'pthread_create(&t, NULL, job, NULL)' "$T/out" || fail "source line not shown"
grep -q -- '- hook id: tasklint' "$T/out" && grep -q -- '- exit code: 1' "$T/out" \
    || { fail "pre-commit did not report exit 1 of hook tasklint:"; show "$T/out"; }
git reset -q worker.c

# ---- 3. only the staged content counts (pre-commit stashes the rest) ------------
printf '%s\n' "$clean_c" | sed 's/start_and_join/start2/' >second.c
git add second.c
printf '%s\n' "$orphan_c" | sed 's/start_worker/start2/' >second.c   # unstaged
if git commit -qm second >"$T/out" 2>&1; then
    echo "ok   unstaged changes are not checked"
else
    fail "blocked by an unstaged change:"; show "$T/out"
fi
git checkout -q second.c 2>/dev/null; rm -f worker.c

# ---- 4. a staged header alone is skipped; with TASKLINT_PRECOMMIT_HEADERS=includers
#         the .c files including it are analysed -------------------------------
printf 'int helper(void);\n' >helper.h
git add helper.h
if git commit -qm header >"$T/out" 2>&1; then
    echo "ok   a header-only commit passes"
else
    fail "header-only commit blocked:"; show "$T/out"
fi
grep -q '^tasklint.*Passed' "$T/out" || { fail "the hook did not pass on the header:"; show "$T/out"; }
bash "$SRC/scripts/tasklint-pre-commit" helper.h >"$T/out" 2>&1 \
    && grep -q 'skipping 1 staged header(s)' "$T/out" \
    && echo "ok   a staged header is skipped with a note" \
    || { fail "the hook script on a header:"; show "$T/out"; }
printf '%s\n' '#include "helper.h"' "$orphan_c" >uses_helper.c
git add uses_helper.c
git commit -qm 'orphan committed without the hook' --no-verify
printf 'int helper(void);\nint helper2(void);\n' >helper.h
git add helper.h
if TASKLINT_PRECOMMIT_HEADERS=includers git commit -qm header2 >"$T/out" 2>&1; then
    fail "includers of a staged header were not analysed:"; show "$T/out"
else
    grep -q '^uses_helper\.c:6:9: warning: .*\[orphaned-spawn\]' "$T/out" \
        && echo "ok   TASKLINT_PRECOMMIT_HEADERS=includers analyses the includers" \
        || { fail "includers: finding not shown:"; show "$T/out"; }
fi
git reset -q helper.h; git checkout -q helper.h

# ---- 5. compile_commands.json is used (-p): the finding needs its -D flag --------
new_project p2
mkdir -p src include build
cat >include/cfg.h <<'C'
#ifdef USE_FOREVER
#define WAIT_MS (-1)
#else
#define WAIT_MS 1000
#endif
C
cat >src/wait.c <<'C'
#include <poll.h>
#include "cfg.h"
int wait_peer(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, WAIT_MS);
}
C
printf '%s\n' "$clean_c" >src/plain.c   # not in the database: analysed plainly
cat >build/compile_commands.json <<J
[{"directory": "..", "file": "src/wait.c",
  "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]
J
git add src include/cfg.h src/plain.c
if git commit -qm wait >"$T/out" 2>&1; then
    fail "compile_commands.json not used (the -D flag makes the wait forever):"; show "$T/out"
else
    grep -q '^src/wait\.c:5:12: warning: poll() .*\[missing-timeout\]' "$T/out" \
        && echo "ok   build/compile_commands.json is used" \
        || { fail "compdb: finding not shown:"; show "$T/out"; }
fi
grep -q 'plain\.c' "$T/out" && { fail "plain.c reported:"; show "$T/out"; }
grep -q 'no entry' "$T/out" && { fail "plain.c went through -p:"; show "$T/out"; }
# the same database under another directory, found at depth 2
mkdir -p out/debug && mv build/compile_commands.json out/debug/
sed -i 's|"directory": ".."|"directory": "../.."|' out/debug/compile_commands.json
if git commit -qm wait >"$T/out" 2>&1; then
    fail "out/debug/compile_commands.json not found"; show "$T/out"
else
    grep -q '\[missing-timeout\]' "$T/out" && echo "ok   */*/compile_commands.json is found" \
        || { fail "depth-2 compdb:"; show "$T/out"; }
fi
# TASKLINT_COMPDB wins: a database without the -D flag
mkdir -p alt
printf '[{"directory": "%s", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-c", "src/wait.c"]}]\n' "$P" >alt/compile_commands.json
if TASKLINT_COMPDB=alt git commit -qm wait >"$T/out" 2>&1; then
    echo "ok   TASKLINT_COMPDB overrides the search"
else
    fail "TASKLINT_COMPDB ignored:"; show "$T/out"
fi

# ---- 6. pre-commit try-repo on the hook repository -------------------------------
new_project p3
printf '%s\n' "$orphan_c" >w.c
git add w.c
pre-commit try-repo "$T/hookrepo" tasklint --files w.c >"$T/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q '^w\.c:5:9: warning: .*\[orphaned-spawn\]' "$T/out"; then
    echo "ok   pre-commit try-repo: finding reported"
else
    fail "try-repo (rc $rc):"; show "$T/out"
fi

# ---- 7. no db files are written into the project by default ----------------------
for p in p1 p2 p3; do
    if [ -e "$T/$p/.tasklint" ]; then fail "$p: the hook created .tasklint/"; fi
done

# ---- 8. with a baseline, only new findings fail ------------------------------------
if "$TL" --help 2>&1 | grep -q -- '--baseline' && "$TL" --help 2>&1 | grep -q -- '--fail-on'; then
    new_project p4
    printf '%s\n' "$orphan_c" >worker.c
    git add worker.c
    git commit -qm 'legacy code with a finding' --no-verify
    # the baseline: today's findings, exported to a file that is committed
    { "$TL" --db "$T/db4.sqlite" worker.c && false; } >"$T/out" 2>&1
    "$TL" --db "$T/db4.sqlite" baseline set >>"$T/out" 2>&1
    "$TL" --db "$T/db4.sqlite" baseline export .tasklint-baseline >>"$T/out" 2>&1
    if ! grep -q 'orphaned-spawn.*worker.c.*start_worker' .tasklint-baseline 2>/dev/null; then
        fail "could not make a baseline (tasklint baseline set/export):"; show "$T/out"
    else
    git add .tasklint-baseline
    git commit -qm baseline >"$T/out" 2>&1 || { fail "committing the baseline:"; show "$T/out"; }
    # keep the old finding (moved down by a comment): passes
    { echo '/* start the worker */'; printf '%s\n' "$orphan_c"; } >worker.c
    git add worker.c
    if git commit -qm 'comment only' >"$T/out" 2>&1; then
        echo "ok   baseline: a commit that keeps only the old finding passes"
    else
        fail "baseline: the old finding blocked the commit:"; show "$T/out"
    fi
    # add a new finding: blocked, and the new finding is shown
    cat >>worker.c <<'C'
int start_other(void) {
    pthread_t u;
    return pthread_create(&u, NULL, job, NULL);
}
C
    git add worker.c
    if git commit -qm 'a new spawn' >"$T/out" 2>&1; then
        fail "baseline: the new finding was committed:"; show "$T/out"
    elif grep -q "^worker\.c:12:12: warning: thread 'u' .*\[orphaned-spawn\] \[new\]" "$T/out"; then
        echo "ok   baseline: a commit adding a new finding is blocked, the finding shown as [new]"
    else
        fail "baseline: new finding not shown:"; show "$T/out"
    fi
    if "$TL" --help 2>&1 | grep -q 'tasklint check'; then
        grep -q "thread 't'" "$T/out" && { fail "baseline: the old finding is shown too (check not used):"; show "$T/out"; }
        grep -q '1 new, 1 unchanged' "$T/out" || { fail "baseline: no check summary:"; show "$T/out"; }
    fi
    git reset -q worker.c; git checkout -q worker.c
    # TASKLINT_BASELINE names the file; without a baseline the old finding blocks
    git mv .tasklint-baseline tl-baseline.txt
    git commit -qm 'move the baseline' --no-verify
    echo '/* again */' >>worker.c
    git add worker.c
    if git commit -qm 'no baseline' >"$T/out" 2>&1; then
        fail "without a baseline the old finding should block"; show "$T/out"
    fi
    if TASKLINT_BASELINE=tl-baseline.txt git commit -qm 'TASKLINT_BASELINE' >"$T/out" 2>&1; then
        echo "ok   baseline: TASKLINT_BASELINE names the baseline file"
    else
        fail "TASKLINT_BASELINE ignored:"; show "$T/out"
    fi
    [ -e "$T/p4/.tasklint" ] && fail "p4: the hook created .tasklint/"
    fi
else
    echo "SKIP baseline: this tasklint has no --baseline/--fail-on yet"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all pre-commit tests passed"
