;;; tasklint-eglot.el --- tasklint's language server through Eglot  -*- lexical-binding: t; -*-

;; Keywords: c, languages, tools
;; Package-Requires: ((emacs "26.3") (eglot "1.9"))

;;; Commentary:

;; `tasklint lsp' is a language server: diagnostics as you type and on save
;; (through Flymake, with the rule id), the rule's explanation on hover
;; (ElDoc), and a code action that adds a tasklint-ignore-next-line comment
;; (M-x eglot-code-actions).  This file registers it with Eglot (built into
;; Emacs 29; the elpa-eglot package or GNU ELPA before that):
;;
;;   (add-to-list 'load-path "/path/to/tasklint/editors/emacs")
;;   (require 'tasklint-eglot)
;;   (tasklint-eglot-setup)                         ; C buffers use tasklint
;;   (add-hook 'c-mode-hook #'eglot-ensure)         ; and/or c-ts-mode-hook
;;
;; Eglot runs one server per buffer: tasklint replaces clangd (or another C
;; server) in C buffers.  To keep clangd, use the Flymake backend
;; (flymake-tasklint.el) instead.  While Eglot manages a buffer, Flymake
;; runs only Eglot's backend, so Emacs' own `flymake-cc' is off.

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup tasklint-eglot nil
  "tasklint's language server in Eglot."
  :group 'eglot
  :prefix "tasklint-eglot-")

(defcustom tasklint-eglot-command '("tasklint" "lsp")
  "The command that starts the server, e.g. (\"tasklint\" \"lsp\" \"--profile=strict\")."
  :type '(repeat string))

(defcustom tasklint-eglot-modes '(c-mode c-ts-mode)
  "The major modes whose buffers tasklint's server manages."
  :type '(repeat symbol))

;;;###autoload
(defun tasklint-eglot-setup ()
  "Make `tasklint lsp' Eglot's server for `tasklint-eglot-modes'."
  (setq eglot-server-programs
        (cons (cons tasklint-eglot-modes (lambda (&rest _) tasklint-eglot-command))
              (cl-remove-if (lambda (entry) (equal (car entry) tasklint-eglot-modes))
                            eglot-server-programs))))

(provide 'tasklint-eglot)
;;; tasklint-eglot.el ends here
