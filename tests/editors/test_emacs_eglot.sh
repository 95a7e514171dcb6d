#!/usr/bin/env bash
# Emacs with Eglot (built in from Emacs 29; Debian's elpa-eglot before):
# editors/emacs/tasklint-eglot.el makes `tasklint lsp` the server of C
# buffers; opened on a fixture, Flymake gets the diagnostics at the EXPECT
# lines with the rule id, only Eglot's backend runs (no flymake-cc), hover
# shows the rule's explanation and a code action offers the suppression.
# The setup is the README's, with `tasklint` from PATH; the session is
# started with (eglot ...) since eglot-ensure waits for a command loop that
# batch mode does not run.
# usage: test_emacs_eglot.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v emacs >/dev/null 2>&1; then
    echo "SKIP: emacs is not installed (scripts/setup.sh installs emacs-nox with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "T=$T"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T
unset TASKLINT_DB
# Eglot built in, or Debian's elpa-eglot (which -Q does not activate)
INIT="(progn (require 'package) (unless (require 'eglot nil t) (add-to-list 'package-directory-list \"/usr/share/emacs/site-lisp/elpa\") (package-initialize) (require 'eglot)))"
if ! emacs --batch -Q --eval "$INIT" >/dev/null 2>&1; then
    echo "SKIP: Eglot is not available (Emacs 29, or scripts/setup.sh installs elpa-eglot with TASKLINT_TEST_DEPS=1)"
    exit 77
fi

FIX=fixtures/orphaned-spawn/pthread_error_path.c
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"
# the README's setup runs `tasklint` from PATH
mkdir -p "$T/bin" "$T/proj/.git"
ln -s "$TL" "$T/bin/tasklint"
export PATH="$T/bin:$PATH"
cp "$SRC/$FIX" "$T/proj/fixture.c"

cat >"$T/test.el" <<'L'
;; -*- lexical-binding: t; -*-
(require 'package)
(unless (require 'eglot nil t)
  (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
  (package-initialize))
(require 'tasklint-eglot)
(tasklint-eglot-setup)                  ; the README's setup, verbatim
(defvar out nil)
(defun emit (fmt &rest args) (push (apply #'format fmt args) out))
(condition-case e
    (progn
      (find-file (getenv "FIX"))
      (emit "mode=%s" major-mode)
      (apply #'eglot (eglot--guess-contact))
      (let ((deadline (+ (float-time) 60)))
        (while (and (< (length (flymake-diagnostics)) 3) (< (float-time) deadline))
          (accept-process-output nil 0.05)))
      (emit "backends=%S" flymake-diagnostic-functions)
      (dolist (d (sort (flymake-diagnostics)
                       (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
        (let ((beg (flymake-diagnostic-beg d)))
          (emit "diag|%d|%d|%s|%s" (line-number-at-pos beg)
                (save-excursion (goto-char beg) (1+ (current-column)))
                (flymake-diagnostic-type d) (flymake-diagnostic-text d))))
      (let* ((server (eglot-current-server))
             (doc (list :uri (eglot--path-to-uri (buffer-file-name))))
             (hover (jsonrpc-request server :textDocument/hover
                                     (list :textDocument doc :position (list :line 28 :character 10))))
             (actions (jsonrpc-request server :textDocument/codeAction
                                       (list :textDocument doc
                                             :range (list :start (list :line 28 :character 0)
                                                          :end (list :line 28 :character 0))
                                             :context (list :diagnostics [])))))
        (emit "hover=%s" (car (split-string (plist-get (plist-get hover :contents) :value) "\n")))
        (emit "action=%s" (plist-get (aref actions 0) :title))
        (eglot-shutdown server)))
  (error (emit "ERROR %S" e)))
(with-temp-file (getenv "OUT")
  (insert (mapconcat #'identity (nreverse out) "\n") "\n"))
L
cd "$T" || exit 1
TL=$TL FIX=$T/proj/fixture.c OUT=$T/res timeout 180 emacs --batch -Q -L "$SRC/editors/emacs" -l "$T/test.el" </dev/null >"$T/log" 2>&1
if ! [ -s "$T/res" ]; then
    fail "emacs: no result"; cat "$T/log"
else
    grep -q '^ERROR' "$T/res" && { fail "emacs: $(grep ^ERROR "$T/res")"; cat "$T/log"; }
    w=$(awk -F'|' '$1=="diag" && $4 ~ /warning/ && $5 ~ /orphaned-spawn/ {printf "%s ", $2}' "$T/res")
    [ "$w" = "$expected" ] && echo "ok   eglot: Flymake shows the diagnostics at the EXPECT lines ($w)" \
        || { fail "eglot: warnings at '$w'"; cat "$T/res" "$T/log"; }
    grep -q "^diag|29|9|.*warning|.*leaks when returning at line 33" "$T/res" \
        || { fail "eglot: line 29, column 9"; cat "$T/res"; }
    grep -qx 'backends=(eglot-flymake-backend)' "$T/res" && echo "ok   eglot: only Eglot's Flymake backend runs (no flymake-cc)" \
        || { fail "eglot: $(grep ^backends "$T/res")"; }
    grep -qx 'hover=# orphaned-spawn (OrphanedSpawn)' "$T/res" && grep -qx 'action=Suppress orphaned-spawn on line 29 (tasklint-ignore-next-line)' "$T/res" \
        && echo "ok   eglot: hover and the suppression code action" || { fail "eglot: hover/code action"; cat "$T/res"; }
    grep -q 'flymake-cc' "$T/log" && fail "flymake-cc in the log"
    [ -d "$T/proj/.tasklint" ] && fail "a findings store was written"
fi
mkdir -p "$T/bc" && cp "$SRC/editors/emacs/tasklint-eglot.el" "$T/bc/"
if emacs --batch -Q --eval "$INIT" --eval "(setq byte-compile-error-on-warn t)" \
        -f batch-byte-compile "$T/bc/tasklint-eglot.el" >"$T/bclog" 2>&1; then
    echo "ok   eglot: tasklint-eglot.el byte-compiles without warnings"
else
    fail "byte-compile:"; cat "$T/bclog"
fi
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all eglot tests passed"
