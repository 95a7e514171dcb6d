# installed_checks.sh - checks of an installed tasklint, sourced by
# test_install.sh (cmake --install --prefix) and test_package.sh (the .deb,
# unpacked).  The caller sets SRC (the source tree), T (a temporary directory)
# and defines fail(); check_installed PREFIX runs them all on PREFIX/bin,
# PREFIX/share...
#
# The installed tool runs from / on a copy of the demo outside the source
# tree (its models are compiled in, clang's headers come from the system), its
# manual page renders with man -l without warnings and is the one --help-man
# prints, --explain works, the bash completion completes from the installed
# files, the hook script finds the tasklint next to it, and the README's
# `repo: local` pre-commit snippet works as written with PREFIX/bin on PATH.

ok() { echo "ok   $*"; }

# check_files PREFIX: everything is where the README says
check_files() {
    local p=$1 f
    for f in bin/tasklint bin/tasklint-pre-commit; do
        [ -x "$p/$f" ] || fail "$f is missing or not executable"
    done
    for f in share/man/man1/tasklint.1.gz share/bash-completion/completions/tasklint \
        share/zsh/site-functions/_tasklint share/tasklint/editors/README.md \
        share/tasklint/editors/vim/compiler/tasklint.vim \
        share/tasklint/editors/vim/ale_linters/c/tasklint.vim \
        share/tasklint/editors/nvim/lua/lint/linters/tasklint.lua \
        share/tasklint/editors/emacs/flymake-tasklint.el \
        share/tasklint/editors/vscode/tasks.json share/tasklint/editors/vscode/tasklint-lsp/extension.js \
        share/tasklint/editors/nvim/lua/tasklint/lsp.lua share/tasklint/editors/emacs/tasklint-eglot.el \
        share/tasklint/editors/vim/ale_linters/c/tasklint_lsp.vim; do
        [ -f "$p/$f" ] || fail "$f is missing"
    done
    ok "the files are installed"
}

# check_runs_from_root PREFIX: the demo, analysed from /, no source tree involved
check_runs_from_root() {
    local tl=$1/bin/tasklint out rc n
    rm -rf "$T/demo" "$T/db"
    cp -r "$SRC/demo" "$T/demo"
    out=$(cd / && "$tl" --db "$T/db" -p "$T/demo/build" "$T/demo" 2>&1)
    rc=$?
    [ $rc = 1 ] || fail "the demo from /: exit $rc (expected 1)"
    n=$(grep -c '^[^ ].*: warning: .*\[[a-z-]*\]$' <<<"$out")
    [ "$n" = 4 ] || fail "the demo from /: $n findings, expected 4"
    for rule in orphaned-spawn unawaited-task missing-timeout blocking-in-coroutine; do
        grep -q "\[$rule\]$" <<<"$out" || fail "the demo from /: no $rule finding"
    done
    grep -q clang-diagnostic <<<"$out" && fail "the demo from /: clang errors: $(grep -m1 clang-diagnostic <<<"$out")"
    [ -f "$T/db" ] || fail "the demo from /: no findings store at --db"
    ok "the installed tasklint analyses the demo from / (4 findings, store at --db)"
    # it does not even look into the source tree (the models are compiled in)
    if command -v strace >/dev/null 2>&1; then
        (cd / && strace -f -qq -e trace=open,openat,stat,newfstatat,access -o "$T/strace" \
            "$tl" --no-db -p "$T/demo/build" "$T/demo" >/dev/null 2>&1)
        if ! grep -q 'open' "$T/strace" 2>/dev/null; then
            echo "note: strace does not work here: what the tool reads is not checked"
        elif grep -qF "\"$SRC/" "$T/strace"; then
            fail "the installed tasklint opens files of the source tree: $(grep -m1 -F "\"$SRC/" "$T/strace")"
        else
            ok "the installed tasklint touches no file of the source tree"
        fi
    fi
    out=$("$tl" --explain orphaned-spawn) || fail "--explain orphaned-spawn: exit $?"
    grep -q '^## What it does' <<<"$out" || fail "--explain orphaned-spawn: no documentation"
    "$tl" --version | grep -q '^tasklint [0-9]' || fail "--version"
    ok "--explain orphaned-spawn and --version"
}

# check_man_page PREFIX: man -l renders it without a warning; it is the page
# the installed binary prints
check_man_page() {
    local page=$1/share/man/man1/tasklint.1.gz text section
    text=$(MANWIDTH=80 man -l "$page" 2>"$T/man.err")
    [ -s "$T/man.err" ] && fail "man -l warns: $(head -3 "$T/man.err")"
    for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS RULES "EXIT STATUS" ENVIRONMENT \
        FILES "SEE ALSO"; do
        grep -q "^$section\$" <<<"$text" || fail "man page: no section $section"
    done
    for word in orphaned-spawn blocking-in-coroutine --baseline-commit TASKLINT_DB .tasklint.yaml; do
        grep -qF -- "$word" <<<"$text" || fail "man page: no $word"
    done
    if ! diff <(gzip -dc "$page" | sed 1d) <("$1/bin/tasklint" --help-man | sed 1d) >/dev/null; then
        fail "the installed man page is not what the installed tasklint --help-man prints"
    fi
    ok "man -l renders the man page without warnings; it is --help-man's"
}

# check_completion PREFIX: the installed bash completion, with PREFIX/bin on PATH
check_completion() {
    local got
    got=$(PATH=$1/bin:$PATH bash "$SRC/tests/completion/bash_complete.sh" \
        "$1/share/bash-completion/completions/tasklint" standalone tasklint --explain orp)
    [ "$got" = orphaned-spawn ] || fail "installed bash completion: '$got'"
    ok "the installed bash completion completes rule ids"
}

# check_hook PREFIX: the hook script finds the tasklint installed next to it, and
# the README's local-hook snippet works as written
check_hook() {
    local p=$1 repo=$T/hook-repo out rc
    if ! command -v git >/dev/null 2>&1; then
        echo "note: no git: the hook checks are skipped"
        return
    fi
    rm -rf "$repo"
    mkdir -p "$repo" && cd "$repo" || return
    git init -q
    cat >worker.c <<'C'
#include <pthread.h>
static void *job(void *arg) { return arg; }
int start_worker(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, job, NULL) != 0)
        return -1;
    return 0;
}
C
    out=$(env -u TASKLINT PATH=/usr/bin:/bin "$p/bin/tasklint-pre-commit" worker.c 2>&1)
    rc=$?
    [ $rc = 1 ] && grep -q '^worker\.c:5:9: warning: .*\[orphaned-spawn\]' <<<"$out" \
        && ok "tasklint-pre-commit finds the tasklint next to it" \
        || fail "tasklint-pre-commit without tasklint on PATH: exit $rc: $out"

    if ! command -v pre-commit >/dev/null 2>&1; then
        echo "note: no pre-commit: the README snippet is not checked"
        cd / && return
    fi
    # the README's `repo: local` snippet, as written
    awk '/^### pre-commit/ {in_section = 1}
         in_section && /^```yaml/ {block = ""; collecting = 1; next}
         collecting && /^```/ {collecting = 0; if (block ~ /repo: local/) {printf "%s", block; exit}; next}
         collecting {block = block $0 "\n"}' "$SRC/README.md" >.pre-commit-config.yaml
    grep -q 'repo: local' .pre-commit-config.yaml || fail "README: no 'repo: local' snippet under ### pre-commit"
    git add worker.c .pre-commit-config.yaml
    out=$(env -u TASKLINT HOME=$T/home PRE_COMMIT_HOME=$T/pre-commit-home PATH=$p/bin:$PATH \
        pre-commit run --files worker.c 2>&1)
    rc=$?
    [ $rc = 1 ] && grep -q '^worker\.c:5:9: warning: .*\[orphaned-spawn\]' <<<"$out" \
        && ok "the README's local pre-commit hook blocks the orphaned spawn" \
        || fail "the README's local pre-commit hook: exit $rc: $out"
    cd / || return
}

check_installed() {
    check_files "$1"
    check_runs_from_root "$1"
    check_man_page "$1"
    check_completion "$1"
    check_hook "$1"
}
