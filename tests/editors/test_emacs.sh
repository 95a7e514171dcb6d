#!/usr/bin/env bash
# Emacs: editors/emacs/flymake-tasklint.el in `emacs --batch`.  The parser on
# real tasklint output; the backend called directly (its report callback
# waited for); Flymake itself started on a visited fixture (flymake-start,
# then the diagnostics Flymake holds); an unsaved buffer analysed through its
# temporary copy; a compile_commands.json.
# usage: test_emacs.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v emacs >/dev/null 2>&1; then
    echo "SKIP: emacs is not installed (scripts/setup.sh installs emacs-nox with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "T=$T"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T

FIX=fixtures/orphaned-spawn/pthread_error_path.c
# never write a findings store into the source tree
NODB=
"$TL" --help 2>&1 | grep -q -- '--no-db' && NODB=--no-db
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"

cp "$SRC/$FIX" "$T/fixture.c"     # a copy: the unsaved-buffer case edits it

cat >"$T/test.el" <<'L'
;; -*- lexical-binding: t; -*-
(require 'flymake-tasklint)
(setq flymake-tasklint-executable (getenv "TL"))
(defvar out nil)
(defun emit (fmt &rest args) (push (apply #'format fmt args) out))
(defun dump-diags (tag diags)
  (dolist (d (sort (copy-sequence diags)
                   (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
    (let ((beg (flymake-diagnostic-beg d)))
      (emit "%s|%d|%d|%s|%s" tag (line-number-at-pos beg)
            (save-excursion (goto-char beg) (1+ (current-column)))
            (flymake-diagnostic-type d) (flymake-diagnostic-text d)))))
(defun wait-for (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(condition-case e
    (progn
      (find-file (getenv "FIX"))
      (emit "mode=%s" major-mode)
      ;; 1. the parser on real output
      (let ((output (with-temp-buffer
                      (apply #'call-process (getenv "TL") nil '(t nil) nil
                             (delete "" (list "--color=never" (or (getenv "NODB") "") (getenv "FIX"))))
                      (buffer-string))))
        (dolist (it (flymake-tasklint-parse output default-directory))
          (emit "parse|%s|%d|%d|%s|%s|%s" (file-name-nondirectory (plist-get it :file))
                (plist-get it :line) (plist-get it :col) (plist-get it :kind)
                (plist-get it :rule) (plist-get it :message))))
      ;; 2. the backend, called the way Flymake calls it
      (let (got)
        (flymake-tasklint (lambda (diags &rest _) (setq got (list diags))))
        (if (wait-for (lambda () got) 60)
            (dump-diags "backend" (car got))
          (emit "backend|TIMEOUT")))
      ;; 3. Flymake itself: setup (as from c-mode-hook), flymake-start
      (emit "before=%S" flymake-diagnostic-functions)
      (flymake-tasklint-setup)
      (emit "backends=%S" flymake-diagnostic-functions)
      (flymake-start)
      ;; (running backends are those started and not disabled; reporting, those
      ;; that have reported for this run)
      (if (wait-for (lambda () (memq 'flymake-tasklint (flymake-reporting-backends)))
                    60)
          (dump-diags "flymake" (flymake-diagnostics))
        (emit "flymake|TIMEOUT running=%S" (flymake-running-backends)))
      ;; 4. an unsaved edit: a new orphaned spawn appended, not saved
      (goto-char (point-max))
      (insert "\nint leak_more(struct ingest *in)\n{\n    pthread_t extra;\n    return pthread_create(&extra, NULL, reader_main, in);\n}\n")
      (emit "newline=%d" (save-excursion (search-backward "pthread_create(&extra") (line-number-at-pos)))
      (let (got)
        (flymake-tasklint (lambda (diags &rest _) (setq got (list diags))))
        (if (wait-for (lambda () got) 60)
            (dump-diags "unsaved" (car got))
          (emit "unsaved|TIMEOUT")))
      (emit "temps=%d" (length (directory-files (file-name-directory (buffer-file-name))
                                                 nil "^\\.tasklint-flymake-")))
      (set-buffer-modified-p nil))
  (error (emit "ERROR %S" e)))
(with-temp-file (getenv "OUT")
  (insert (mapconcat #'identity (nreverse out) "\n") "\n"))
L

cd "$T" || exit 1
NODB=$NODB TL=$TL FIX=$T/fixture.c OUT=$T/res emacs --batch -Q -L "$SRC/editors/emacs" -l "$T/test.el" </dev/null >"$T/log" 2>&1
f0=$fails
if ! [ -s "$T/res" ]; then
    fail "emacs: no result"; cat "$T/log"
else
    grep -q '^ERROR' "$T/res" && { fail "emacs: $(grep ^ERROR "$T/res")"; cat "$T/log"; }
    grep -qx 'mode=c-mode' "$T/res" || fail "fixture not in c-mode"
    # parser
    w=$(awk -F'|' '$1=="parse" && $5=="warning" && $6=="orphaned-spawn" {printf "%s ", $3}' "$T/res")
    [ "$w" = "$expected" ] || { fail "parse: warnings at '$w'"; cat "$T/res"; }
    grep -qx "parse|fixture.c|29|9|warning|orphaned-spawn|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)" "$T/res" \
        || { fail "parse: line 29"; cat "$T/res"; }
    grep -qx "parse|fixture.c|71|5|note|orphaned-spawn|the thread is still owned when returning here" "$T/res" \
        || { fail "parse: note at 71"; cat "$T/res"; }
    # backend and flymake: same diagnostics, warnings at the EXPECT lines, notes as :note
    for tag in backend flymake; do
        w=$(awk -F'|' -v t=$tag '$1==t && $4==":warning" && $5 ~ /\[orphaned-spawn\]$/ {printf "%s ", $2}' "$T/res")
        n=$(awk -F'|' -v t=$tag '$1==t && $4==":note" && $5 ~ /^note: .*\[orphaned-spawn\]$/ {printf "%s ", $2}' "$T/res")
        c=$(grep -c "^$tag|" "$T/res")
        if [ "$w" = "$expected" ] && [ "$n" = "33 64 71 " ] && [ "$c" = 6 ]; then
            echo "ok   emacs $tag: warnings at $w, notes at $n"
        else
            fail "emacs $tag: warnings '$w' notes '$n' ($c diagnostics)"; cat "$T/res"
        fi
    done
    grep -qx "flymake|29|9|:warning|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path) \[orphaned-spawn\]" "$T/res" \
        || { fail "flymake: column and text of line 29"; cat "$T/res"; }
    grep -q '^backends=(flymake-tasklint' "$T/res" || fail "setup: $(grep ^backends "$T/res")"
    # cc-mode put flymake-cc in the buffer's backends; the setup takes it out
    grep -q '^before=.*flymake-cc' "$T/res" || fail "control: cc-mode no longer adds flymake-cc: $(grep ^before "$T/res")"
    grep -q '^backends=.*\(flymake-cc\|flymake-proc\)' "$T/res" && fail "setup left flymake-cc on: $(grep ^backends "$T/res")"
    # the unsaved buffer: the new spawn is found at its line, temp copy removed
    nl=$(sed -n 's/^newline=//p' "$T/res")
    w=$(awk -F'|' '$1=="unsaved" && $4==":warning" {printf "%s ", $2}' "$T/res")
    [ "$w" = "$expected$nl " ] || { fail "unsaved buffer: warnings at '$w', expected '$expected$nl'"; cat "$T/res"; }
    grep -q "^unsaved|$nl|12|:warning|thread 'extra' .*\[orphaned-spawn\]$" "$T/res" || { fail "unsaved: line $nl"; cat "$T/res"; }
    grep -qx 'temps=0' "$T/res" || fail "temporary copy left behind"
    [ $fails = $f0 ] && echo "ok   emacs: parser, unsaved buffer through a temporary copy"
fi
compgen -G "$T/.tasklint-flymake-*" >/dev/null && fail "temporary files left in $T"

# a clang error is an :error; a compile_commands.json gives the flags
mkdir -p "$T/p2/src" "$T/p2/build" "$T/p2/include"
printf '#ifdef USE_FOREVER\n#define WAIT_MS (-1)\n#else\n#define WAIT_MS 1000\n#endif\n' >"$T/p2/include/cfg.h"
printf '#include <poll.h>\n#include "cfg.h"\nint wait_peer(int fd) {\n    struct pollfd p = {.fd = fd, .events = POLLIN};\n    return poll(&p, 1, WAIT_MS);\n}\nint bad(void) { return undefined_thing; }\n' >"$T/p2/src/wait.c"
printf '[{"directory": "..", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]\n' >"$T/p2/build/compile_commands.json"
cat >"$T/test2.el" <<'L'
;; -*- lexical-binding: t; -*-
(require 'flymake-tasklint)
(setq flymake-tasklint-executable (getenv "TL"))
(let (got res)
  (find-file (getenv "FIX"))
  (push (format "cmd=%S" (flymake-tasklint--command (buffer-file-name) nil)) res)
  (flymake-tasklint (lambda (diags &rest _) (setq got (list diags))))
  (let ((deadline (+ (float-time) 60)))
    (while (and (not got) (< (float-time) deadline)) (accept-process-output nil 0.05)))
  (dolist (d (car got))
    (push (format "%d|%s|%s" (line-number-at-pos (flymake-diagnostic-beg d))
                  (flymake-diagnostic-type d) (flymake-diagnostic-text d)) res))
  (with-temp-file (getenv "OUT") (insert (mapconcat #'identity (nreverse res) "\n") "\n")))
L
TL=$TL FIX=$T/p2/src/wait.c OUT=$T/res2 emacs --batch -Q -L "$SRC/editors/emacs" -l "$T/test2.el" </dev/null >"$T/log2" 2>&1
grep -q "^cmd=((\".*tasklint\" \"--color=never\" .*\"-p\" \"$T/p2/build/compile_commands.json\" \"$T/p2/src/wait.c\") \. \"$T/p2/\")" "$T/res2" \
    && grep -q '^5|:warning|poll() .*\[missing-timeout\]$' "$T/res2" \
    && grep -q '^7|:error|use of undeclared identifier .*\[clang-diagnostic\]$' "$T/res2" \
    && { [ -z "$NODB" ] || grep -q '^cmd=.*"--no-db"' "$T/res2"; } \
    && echo "ok   emacs: compile_commands.json (-p, flags from the database), clang errors are :error, --no-db" \
    || { fail "emacs with a database"; cat "$T/res2" "$T/log2"; }

# the README's setup (c-mode-hook), in a project without a Makefile:
# flymake-cc is not among the buffer's backends, Flymake runs only tasklint
# and logs nothing about flymake-cc; the global value is left alone; a
# global flymake-cc (behind t) is taken out of the buffer's copy too, and
# so is the legacy make-based backend (it fails the same way)
mkdir -p "$T/p3"
cp "$SRC/$FIX" "$T/p3/fixture.c"
cat >"$T/test3.el" <<'L'
;; -*- lexical-binding: t; -*-
(require 'flymake-tasklint)
(setq flymake-tasklint-executable (getenv "TL"))
(setq flymake-tasklint-args (delete "" (list (or (getenv "NODB") ""))))
(add-hook 'c-mode-hook #'flymake-tasklint-setup)
(let (res)
  (find-file (getenv "FIX"))
  (push (format "local=%S" flymake-diagnostic-functions) res)
  (push (format "global=%S" (default-value 'flymake-diagnostic-functions)) res)
  (flymake-start)
  (let ((deadline (+ (float-time) 60)))
    (while (and (not (memq 'flymake-tasklint (flymake-reporting-backends)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05)))
  (push (format "running=%S" (flymake-running-backends)) res)
  (push (format "diags=%d" (length (flymake-diagnostics))) res)
  (push (format "log-cc=%S" (and (get-buffer "*Flymake log*")
                                 (with-current-buffer "*Flymake log*"
                                   (save-excursion (goto-char (point-min))
                                                   (search-forward "flymake-cc" nil t)))
                                 t))
        res)
  ;; flymake-cc in the global value, the buffer's value deferring to it
  (with-temp-buffer
    (setq-default flymake-diagnostic-functions '(flymake-proc-legacy-flymake flymake-cc))
    (add-hook 'flymake-diagnostic-functions #'ignore nil t)
    (flymake-tasklint--remove-cc)
    (push (format "via-global=%S" flymake-diagnostic-functions) res))
  (with-temp-file (getenv "OUT") (insert (mapconcat #'identity (nreverse res) "\n") "\n")))
L
NODB=$NODB TL=$TL FIX=$T/p3/fixture.c OUT=$T/res3 emacs --batch -Q -L "$SRC/editors/emacs" -l "$T/test3.el" </dev/null >"$T/log3" 2>&1
if grep -qx 'local=(flymake-tasklint)' "$T/res3" && ! grep -q '^global=.*flymake-tasklint' "$T/res3" \
        && grep -qx 'running=(flymake-tasklint)' "$T/res3" && grep -qx 'diags=6' "$T/res3" \
        && grep -qx 'log-cc=nil' "$T/res3" && ! grep -q 'flymake-cc\|flymake-proc' "$T/log3" \
        && grep -qx 'via-global=(ignore)' "$T/res3"; then
    echo "ok   emacs: the README's setup leaves flymake-cc off (buffer-locally), Flymake runs only tasklint"
else
    fail "emacs: flymake-cc after the README's setup"; cat "$T/res3" "$T/log3"
fi

# it byte-compiles without warnings
mkdir -p "$T/bc" && cp "$SRC/editors/emacs/flymake-tasklint.el" "$T/bc/"
if emacs --batch -Q --eval '(setq byte-compile-error-on-warn t)' \
        -f batch-byte-compile "$T/bc/flymake-tasklint.el" >"$T/bclog" 2>&1; then
    echo "ok   emacs: byte-compiles without warnings"
else
    fail "byte-compile:"; cat "$T/bclog"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all emacs tests passed"
