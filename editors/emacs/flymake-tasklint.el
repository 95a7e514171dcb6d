;;; flymake-tasklint.el --- Flymake backend for tasklint  -*- lexical-binding: t; -*-

;; Keywords: c, languages, tools
;; Package-Requires: ((emacs "26.1"))

;;; Commentary:

;; tasklint finds async task-lifecycle bugs in C (orphaned spawns, unawaited
;; tasks, waits without a timeout, blocking calls in coroutines).  This file
;; is a Flymake backend for it:
;;
;;   (add-to-list 'load-path "/path/to/tasklint/editors/emacs")
;;   (require 'flymake-tasklint)
;;   (add-hook 'c-mode-hook #'flymake-tasklint-setup)      ; and/or c-ts-mode-hook
;;
;; A saved buffer is analysed from its file; when a compile_commands.json that
;; lists the file is found in the file's directory or an ancestor (or in their
;; build/), tasklint runs with -p and the file's own compiler flags.  A buffer
;; with unsaved changes is copied to a temporary file in the same directory
;; (so that #include "..." and .tasklint.yaml still resolve), analysed with
;; `-- -I<dir>' plus `flymake-tasklint-compiler-args', and the copy removed.
;;
;; Findings are :warning diagnostics (clang errors :error), their text ends
;; with the rule id, e.g. "... [orphaned-spawn]"; each path note ("the thread
;; is still owned when returning here") is a :note diagnostic at its own line.

;;; Code:

(require 'cl-lib)
(require 'flymake)
(require 'json)
(require 'subr-x)

(defgroup flymake-tasklint nil
  "Flymake backend for tasklint."
  :group 'flymake
  :prefix "flymake-tasklint-")

(defcustom flymake-tasklint-executable "tasklint"
  "The tasklint binary."
  :type 'string)

(defcustom flymake-tasklint-args nil
  "Extra options for tasklint, e.g. (\"--profile=strict\")."
  :type '(repeat string))

(defcustom flymake-tasklint-compiler-args nil
  "Compiler arguments (-I, -D, -std=...) used when a temporary copy of an
unsaved buffer is analysed (the copy is not in compile_commands.json)."
  :type '(repeat string))

(defcustom flymake-tasklint-check-unsaved t
  "Non-nil: analyse a temporary copy of a buffer with unsaved changes.
Nil: always analyse the file on disk (diagnostics follow the last save)."
  :type 'boolean)

(defcustom flymake-tasklint-use-db nil
  "Non-nil: let tasklint record runs in its findings store.
Nil (the default): pass --no-db when the binary knows the option."
  :type 'boolean)

(defvar-local flymake-tasklint--proc nil
  "The tasklint process of this buffer's latest check.")

(defvar flymake-tasklint--no-db-support (make-hash-table :test #'equal)
  "Executable -> whether its --help mentions --no-db.")

(defun flymake-tasklint--supports-no-db-p (exe)
  "Whether EXE knows --no-db (asked once per executable)."
  (let ((v (gethash exe flymake-tasklint--no-db-support 'unknown)))
    (when (eq v 'unknown)
      (setq v (and (executable-find exe)
                   (with-temp-buffer
                     (ignore-errors (call-process exe nil t nil "--help"))
                     (goto-char (point-min))
                     (search-forward "--no-db" nil t))
                   t))
      (puthash exe v flymake-tasklint--no-db-support))
    v))

(defun flymake-tasklint-find-compdb (file)
  "The compile_commands.json for FILE, or nil.
Looked for in FILE's directory and each ancestor, and in their build/."
  (let ((dir (file-name-directory (expand-file-name file)))
        found)
    (while (and dir (not found))
      (dolist (cand (list (expand-file-name "compile_commands.json" dir)
                          (expand-file-name "build/compile_commands.json" dir)))
        (when (and (not found) (file-readable-p cand))
          (setq found cand)))
      (let ((parent (file-name-directory (directory-file-name dir))))
        (setq dir (unless (equal parent dir) parent))))
    found))

(defun flymake-tasklint-compdb-lists-p (db file)
  "Whether the compile_commands.json DB has an entry for FILE."
  (let* ((dbdir (file-name-directory (expand-file-name db)))
         (want (file-truename (expand-file-name file)))
         (entries (condition-case nil
                      (let ((json-array-type 'list)
                            (json-object-type 'alist)
                            (json-key-type 'symbol))
                        (json-read-file db))
                    (error nil))))
    (and (listp entries)
         (cl-some (lambda (e)
                    (let ((f (and (consp e) (alist-get 'file e)))
                          (d (and (consp e) (alist-get 'directory e))))
                      (and (stringp f)
                           (equal want
                                  (file-truename
                                   (expand-file-name
                                    f (file-name-as-directory
                                       (expand-file-name (or d ".") dbdir))))))))
                  entries))))

(defconst flymake-tasklint--line-re
  "^\\(.+?\\):\\([0-9]+\\):\\([0-9]+\\): \\(warning\\|error\\|note\\): \\(.*\\)$"
  "A gcc-style line of tasklint's output.")

(defconst flymake-tasklint--states '("new" "unchanged" "absent" "fixed")
  "Tags that may follow the rule id and are not rule ids.")

(defun flymake-tasklint--split-tags (msg)
  "Split \"message [rule] [new]\" into (MESSAGE RULE OTHER-TAGS)."
  (let (tags rule others)
    (while (string-match "\\`\\(\\(?:.\\|\n\\)*?\\)[ \t]*\\[\\([A-Za-z0-9_.-]+\\)\\]\\'" msg)
      (push (match-string 2 msg) tags)
      (setq msg (match-string 1 msg)))
    (dolist (tag tags)
      (if (and (not rule) (not (member tag flymake-tasklint--states)))
          (setq rule tag)
        (push tag others)))
    (list msg rule (nreverse others))))

(defun flymake-tasklint-parse (output cwd)
  "Parse tasklint OUTPUT into a list of plists, in output order.
Each has :file (absolute, relative names taken from CWD, the directory
tasklint ran in), :line, :col (1-based, in bytes), :kind (warning, error or
note), :message, :rule (a note gets its finding's rule), :tags."
  (let (items parent)
    (dolist (line (split-string output "\n"))
      (when (string-match flymake-tasklint--line-re line)
        (let* ((file (expand-file-name (match-string 1 line) cwd))
               (lnum (string-to-number (match-string 2 line)))
               (col (string-to-number (match-string 3 line)))
               (kind (intern (match-string 4 line)))
               (msg (match-string 5 line)))
          (if (eq kind 'note)
              (when parent
                (push (list :file file :line lnum :col col :kind 'note
                            :message msg :rule (plist-get parent :rule) :tags nil)
                      items))
            (pcase-let ((`(,text ,rule ,tags) (flymake-tasklint--split-tags msg)))
              (setq parent (list :file file :line lnum :col col :kind kind
                                 :message text :rule rule :tags tags))
              (push parent items))))))
    (nreverse items)))

(defun flymake-tasklint--region (buffer line byte-col)
  "BUFFER's region for LINE and the 1-based BYTE-COL (tasklint's columns
are bytes; Flymake's are characters)."
  (with-current-buffer buffer
    (save-excursion
      (save-restriction
        (widen)
        (goto-char (point-min))
        (forward-line (1- line))
        (let* ((bol (point))
               (pos (or (byte-to-position (+ (position-bytes bol) (max 0 (1- byte-col))))
                        bol))
               (pos (min pos (line-end-position))))
          (flymake-diag-region buffer line (1+ (- pos bol))))))))

(defun flymake-tasklint-diagnostics (buffer items files)
  "Flymake diagnostics in BUFFER for the ITEMS whose file is in FILES."
  (let ((files (mapcar #'file-truename files))
        diags)
    (dolist (it items)
      (when (member (file-truename (plist-get it :file)) files)
        (let* ((region (flymake-tasklint--region buffer (plist-get it :line) (plist-get it :col)))
               (kind (plist-get it :kind))
               (rule (plist-get it :rule))
               (text (concat (if (eq kind 'note) "note: " "")
                             (plist-get it :message)
                             (mapconcat (lambda (tag) (format " [%s]" tag)) (plist-get it :tags) "")
                             (if rule (format " [%s]" rule) ""))))
          (when region
            (push (flymake-make-diagnostic buffer (car region) (cdr region)
                                           (pcase kind
                                             ('error :error)
                                             ('warning :warning)
                                             (_ :note))
                                           text)
                  diags)))))
    (nreverse diags)))

(defun flymake-tasklint--command (file temp)
  "The command line and the directory to run it in, as (ARGV . DIR).
FILE is the buffer's file; TEMP, when non-nil, the temporary copy to analyse."
  (let* ((exe flymake-tasklint-executable)
         (db (and (not temp) (flymake-tasklint-find-compdb file)))
         (db (and db (flymake-tasklint-compdb-lists-p db file) db))
         (dir (cond (db (let ((d (file-name-directory db)))
                          (if (equal (file-name-nondirectory (directory-file-name d)) "build")
                              (file-name-directory (directory-file-name d))
                            d)))
                    (t (file-name-directory file))))
         (argv (append (list exe "--color=never")
                       (and (not flymake-tasklint-use-db)
                            (flymake-tasklint--supports-no-db-p exe)
                            (list "--no-db"))
                       (and db (list "-p" db))
                       flymake-tasklint-args
                       (list (or temp file))
                       (and temp
                            (append (list "--" (concat "-I" (file-name-directory file)))
                                    flymake-tasklint-compiler-args)))))
    (cons argv dir)))

(defun flymake-tasklint (report-fn &rest _args)
  "Flymake backend: run tasklint on the current buffer, call REPORT-FN."
  (let ((file (buffer-file-name)))
    (cond
     ((not file)
      (funcall report-fn nil))
     ((not (executable-find flymake-tasklint-executable))
      (funcall report-fn :panic
               :explanation (format "%s not found" flymake-tasklint-executable)))
     (t
      (when (process-live-p flymake-tasklint--proc)
        (kill-process flymake-tasklint--proc))
      (let* ((source (current-buffer))
             (temp (when (and flymake-tasklint-check-unsaved (buffer-modified-p))
                     (let ((coding-system-for-write 'utf-8-unix))
                       (make-temp-file (expand-file-name ".tasklint-flymake-"
                                                         (file-name-directory file))
                                       nil ".c"
                                       (save-restriction
                                         (widen)
                                         (buffer-substring-no-properties
                                          (point-min) (point-max)))))))
             (cmd (flymake-tasklint--command file temp))
             (default-directory (cdr cmd))
             (out (generate-new-buffer " *flymake-tasklint*"))
             (err (generate-new-buffer " *flymake-tasklint stderr*")))
        (setq flymake-tasklint--proc
              (make-process
               :name "flymake-tasklint"
               :noquery t
               :connection-type 'pipe
               :buffer out
               :stderr err
               :command (car cmd)
               :sentinel
               (lambda (proc _event)
                 (unless (process-live-p proc)
                   (unwind-protect
                       (if (not (and (buffer-live-p source)
                                     (eq proc (buffer-local-value 'flymake-tasklint--proc source))))
                           (flymake-log :debug "obsolete tasklint process %s" proc)
                         (let* ((output (with-current-buffer (process-buffer proc) (buffer-string)))
                                (items (flymake-tasklint-parse output (cdr cmd)))
                                (status (process-exit-status proc)))
                           (when (and (eq (process-status proc) 'exit) (>= status 2))
                             (flymake-log :warning "tasklint exited with %d: %s" status
                                          (if (buffer-live-p err)
                                              (with-current-buffer err (string-trim (buffer-string)))
                                            "")))
                           (funcall report-fn
                                    (flymake-tasklint-diagnostics
                                     source items (delq nil (list file temp))))))
                     (when temp (ignore-errors (delete-file temp)))
                     (kill-buffer (process-buffer proc))
                     (when (buffer-live-p err) (kill-buffer err)))))))
        ;; the stderr pipe must not hold up killing its buffer
        (when (get-buffer-process err)
          (set-process-query-on-exit-flag (get-buffer-process err) nil)))))))

(defconst flymake-tasklint--make-backends '(flymake-cc flymake-proc-legacy-flymake)
  "Emacs' own C backends that run `make check-syntax'.
In a project whose Makefile has no such target (most), they fail on every
check and log errors.")

(defun flymake-tasklint--remove-cc ()
  "Take Emacs' own make-based C backends out of this buffer's Flymake.
cc-mode adds `flymake-cc' to every C buffer, and the global value holds
`flymake-proc-legacy-flymake'; both run `make check-syntax', which fails
noisily in most projects.  Only this buffer's value changes: the global
backends it defers to (its t) are copied in, without those two."
  (let ((fns (if (local-variable-p 'flymake-diagnostic-functions)
                 flymake-diagnostic-functions
               '(t))))
    (when (memq t fns)
      (setq fns (append (remq t fns)
                        (remq t (default-value 'flymake-diagnostic-functions)))))
    (setq-local flymake-diagnostic-functions
                (delete-dups (cl-remove-if
                              (lambda (f) (memq f flymake-tasklint--make-backends))
                              fns)))))

;;;###autoload
(defun flymake-tasklint-setup ()
  "Use tasklint in this buffer's Flymake, and turn Flymake on.
Add it to `c-mode-hook' (or `c-ts-mode-hook').  Emacs' own `flymake-cc'
\(and the legacy make-based backend) are taken out of the buffer's
backends: they run `make check-syntax', which fails noisily."
  (flymake-tasklint--remove-cc)
  (add-hook 'flymake-diagnostic-functions #'flymake-tasklint nil t)
  (flymake-mode 1))

(provide 'flymake-tasklint)
;;; flymake-tasklint.el ends here
