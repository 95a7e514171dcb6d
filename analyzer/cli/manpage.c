/* manpage.c - tasklint(1), the manual page, as roff (man macros).
 *
 * Printed by the hidden option --help-man; the build runs it and installs
 * the result (CMakeLists.txt), so the page cannot drift from the tool: the
 * synopsis, options, subcommands, environment and exit status come from the
 * tables in options.c that --help prints, and the RULES section from each
 * rule's documentation, the markdown that --explain prints (rules/rule.h),
 * rendered here: headings, paragraphs, lists, fenced code and `code`.
 *
 * Everything printed goes through roff_text(): backslashes, hyphens and
 * line-leading dots are escaped, non-ASCII becomes \[uXXXX] and control
 * characters are dropped, so the page renders with `groff -ww` and
 * `mandoc -Tlint` clean whatever the texts contain.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "rules/rule.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

#define ROFF_LINE 78 /* filled text is broken into source lines at most this long */

typedef struct {
    FILE *out;
    bool bol;          /* at the beginning of an output line */
    int col;           /* bytes on the current output line */
    bool fill;         /* filled text (leading blanks dropped), not an example */
    bool after_heading; /* nothing but a .SH/.SS yet: no .PP needed */
    bool pending_space; /* a blank in filled text, written before the next word */
    int word_extra;    /* escaped bytes by which the word at the end of the text
                          being written goes on (markup follows: "(`code`,") */
} roff;

/* A request or raw roff text: starts a line when it starts with '.'. */
static void roff_raw(roff *r, const char *s) {
    if (!*s) return;
    r->pending_space = false;
    if (*s == '.' && !r->bol) {
        fputc('\n', r->out);
        r->col = 0;
    }
    fputs(s, r->out);
    const char *nl = strrchr(s, '\n');
    r->bol = s[strlen(s) - 1] == '\n';
    r->col = (int)strlen(nl ? nl + 1 : s) + (nl || r->bol ? 0 : r->col);
    r->after_heading = false;
}

/* Ends the current text line, if any. */
static void roff_eol(roff *r) {
    if (!r->bol) fputc('\n', r->out);
    r->bol = true;
    r->col = 0;
    r->pending_space = false;
}

/* Before a word of `len` bytes: the pending blank, or a line break when the
 * word would make the source line too long. */
static void roff_word_start(roff *r, int len) {
    if (!r->pending_space) return;
    r->pending_space = false;
    if (r->col + 1 + len > ROFF_LINE) {
        roff_eol(r);
    } else {
        fputc(' ', r->out);
        r->col++;
    }
}

/* A new paragraph, unless a heading just started one. */
static void roff_para(roff *r) {
    if (!r->after_heading) roff_raw(r, ".PP\n");
}

static void roff_text(roff *r, const char *s, size_t n);

/* ".SH NAME" / ".SS Title" */
static void roff_heading(roff *r, const char *macro, const char *title) {
    roff_raw(r, macro);
    roff_raw(r, " ");
    roff_text(r, title, strlen(title));
    roff_eol(r);
    r->after_heading = true;
}

/* Length of the UTF-8 sequence at s (1-4) and its code point; 0 if invalid. */
static int utf8_decode(const unsigned char *s, size_t n, unsigned *cp) {
    int len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    if (len == 0 || (size_t)len > n || s[0] >= 0xf8) return 0;
    unsigned v = s[0] & (0x7f >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

/* The escaped length of the word at s (up to a blank or the end). */
static int escaped_word_length(const unsigned char *s, const unsigned char *end) {
    int len = 0;
    for (; s < end && *s != ' ' && *s != '\n'; s++)
        len += *s == '\\' || *s == '-' ? 2 : *s >= 0x80 ? 3 : 1;
    return len;
}

/* n bytes of text, escaped for roff. */
static void roff_text(roff *r, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c == '\n') {
            roff_eol(r);
            p++;
            continue;
        }
        if (r->fill && (c == ' ' || c == '\t')) { /* (a leading blank would break the line) */
            r->pending_space = !r->bol;
            p++;
            continue;
        }
        if (r->pending_space) {
            const unsigned char *q = p;
            while (q < end && *q != ' ' && *q != '\n') q++;
            roff_word_start(r, escaped_word_length(p, end) + (q == end ? r->word_extra : 0));
        }
        if (r->bol && (c == '.' || c == '\'')) r->col += fprintf(r->out, "\\&");
        r->bol = false;
        r->after_heading = false;
        if (c == '\\') {
            r->col += fprintf(r->out, "\\e");
        } else if (c == '-') {
            r->col += fprintf(r->out, "\\-");
        } else if (c == '\t') {
            r->col += fprintf(r->out, " ");
        } else if (c < 0x20 || c == 0x7f) {
            /* never a raw control character */
        } else if (c < 0x80) {
            fputc(c, r->out);
            r->col++;
        } else {
            unsigned cp;
            int len = utf8_decode(p, (size_t)(end - p), &cp);
            if (len == 0) {
                r->col += fprintf(r->out, "?");
                len = 1;
            } else {
                r->col += fprintf(r->out, "\\[u%04X]", cp);
            }
            p += len;
            continue;
        }
        p++;
    }
}

static void roff_str(roff *r, const char *s) { roff_text(r, s, strlen(s)); }

static void roff_font(roff *r, char font, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    if (r->pending_space) roff_word_start(r, 6 + escaped_word_length(u, u + n) + r->word_extra);
    r->word_extra = 0;
    r->col += fprintf(r->out, "\\f%c", font);
    r->bol = false;
    r->after_heading = false;
    roff_text(r, s, n);
    r->col += fprintf(r->out, "\\fR");
}

static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* A usage or option label: options and literal words in bold, placeholders
 * (upper-case words: PATH, RULE) in italics, punctuation in roman. */
static void roff_usage(roff *r, const char *s) {
    while (*s) {
        size_t n = 0;
        while (word_char(s[n])) n++;
        if (n == 0) {
            roff_text(r, s, 1);
            s++;
            continue;
        }
        bool placeholder = s[0] != '-';
        bool upper = false;
        for (size_t i = 0; i < n; i++) {
            if (s[i] >= 'a' && s[i] <= 'z') placeholder = false;
            if (s[i] >= 'A' && s[i] <= 'Z') upper = true;
        }
        roff_font(r, placeholder && upper ? 'I' : 'B', s, n);
        s += n;
    }
}

/* A line of markdown prose: `code` and **strong** in bold, *emphasis* in
 * italics; a marker without its closing twin is plain text. */
static void roff_inline(roff *r, const char *s, size_t n) {
    const char *end = s + n, *text = s, *p = s;
    while (p < end) {
        size_t open = 0;
        char font = 'B';
        if (*p == '`') {
            open = 1;
        } else if (p + 1 < end && p[0] == '*' && p[1] == '*') {
            open = 2;
        } else if (*p == '*' && p + 1 < end && p[1] != ' ') {
            open = 1;
            font = 'I';
        }
        const char *close = NULL;
        for (const char *q = p + open + 1; open && q + open <= end && !close; q++)
            if (!memcmp(q, p, open) && q[-1] != ' ') close = q;
        if (!close) {
            p++;
            continue;
        }
        /* a word that runs into the markup, or on after it, is one word */
        const unsigned char *u = (const unsigned char *)p, *e = (const unsigned char *)end;
        r->word_extra = p > text && p[-1] != ' ' ? 6 + escaped_word_length(u, e) : 0;
        roff_text(r, text, (size_t)(p - text));
        u = (const unsigned char *)close + open;
        r->word_extra = escaped_word_length(u, e);
        roff_font(r, font, p + open, (size_t)(close - p - open));
        p = text = close + open;
    }
    roff_text(r, text, (size_t)(end - text));
}

/* Length of a list marker ("- ", "* ", "12. ") at the start of s, or 0. */
static size_t list_marker(const char *s, size_t n) {
    if (n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ') return 2;
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9') d++;
    if (d > 0 && d + 1 < n && s[d] == '.' && s[d + 1] == ' ') return d + 2;
    return 0;
}

/* A rule's documentation (markdown) as man macros. */
static void roff_markdown(roff *r, const char *md) {
    bool code = false, pending_para = true, after_heading = false;
    const char *line = md;
    while (*line) {
        size_t n = strcspn(line, "\n");
        const char *next = line[n] ? line + n + 1 : line + n;
        size_t indent = 0;
        while (indent < n && line[indent] == ' ') indent++;
        const char *t = line + indent;
        size_t tn = n - indent;
        if (tn >= 3 && !strncmp(t, "```", 3)) {
            if (!code) {
                roff_para(r);
                roff_raw(r, ".RS 4\n.EX\n");
                r->fill = false;
            } else {
                roff_raw(r, ".EE\n.RE\n");
                r->fill = true;
                pending_para = true;
            }
            code = !code;
        } else if (code) {
            roff_text(r, line, n);
            if (n == 0) fputc('\n', r->out); /* a blank line of the example */
            roff_eol(r);
        } else if (tn == 0) {
            if (!after_heading) pending_para = true;
        } else if (t[0] == '#') {
            size_t h = 0;
            while (h < tn && (t[h] == '#' || t[h] == ' ')) h++;
            roff_para(r);
            roff_font(r, 'B', t + h, tn - h);
            roff_raw(r, "\n.br\n");
            pending_para = false;
            after_heading = true;
            line = next;
            continue;
        } else {
            size_t m = list_marker(t, tn);
            if (m) {
                roff_raw(r, m == 2 ? ".IP \\(bu 2\n" : ".IP ");
                if (m != 2) {
                    roff_text(r, t, m - 1);
                    roff_raw(r, " 4\n");
                }
                t += m;
                tn -= m;
            } else if (pending_para) {
                roff_para(r);
            }
            pending_para = false;
            roff_inline(r, t, tn);
            roff_eol(r);
        }
        after_heading = false;
        line = next;
    }
    if (code) {
        roff_raw(r, ".EE\n.RE\n");
        r->fill = true;
    }
}

void tl_cli_man_markdown(FILE *out, const char *markdown) {
    roff r = {.out = out, .bol = true, .fill = true};
    roff_markdown(&r, markdown);
    roff_eol(&r);
}

/* A paragraph starting with a capital letter and ending with a full stop. */
static void roff_sentence(roff *r, const char *s) {
    if (*s >= 'a' && *s <= 'z') {
        char first[2] = {(char)(*s - 'a' + 'A'), 0};
        roff_str(r, first);
        s++;
    }
    roff_inline(r, s, strlen(s));
    size_t n = strlen(s);
    if (n && s[n - 1] != '.') roff_str(r, ".");
    roff_eol(r);
}

static void man_date(char out[16]) {
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH"); /* reproducible builds */
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!errno && !*end && v >= 0) t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static const tl_cli_text_doc man_files[] = {
    {".tasklint.yaml, .tasklint.yml",
     "the project configuration (profile, enabled and disabled rules, models of the project's "
     "own functions), found by walking up from each analysed file"},
    {".tasklint/findings.db",
     "the findings store (SQLite) at the project root: the directory holding .tasklint.yaml, "
     "else the git top level, else the current directory; .tasklint/ holds its own .gitignore"},
    {".tasklint-baseline",
     "a baseline written by tasklint baseline export, to commit; the pre-commit hook uses it"},
    {"compile_commands.json", "read with -p: the files to analyse and their compiler arguments"},
    {NULL, NULL},
};

static void man_entries(roff *r, const tl_cli_text_doc *docs) {
    for (size_t i = 0; docs[i].name; i++) {
        roff_raw(r, ".TP\n");
        roff_font(r, 'B', docs[i].name, strlen(docs[i].name));
        roff_eol(r);
        roff_sentence(r, docs[i].text);
    }
}

void tl_cli_print_man(FILE *out) {
    roff r = {.out = out, .bol = true, .fill = true};
    char date[16];
    man_date(date);
    fprintf(out, ".TH TASKLINT 1 %s \"tasklint %s\" \"User Commands\"\n", date, TASKLINT_VERSION);

    roff_heading(&r, ".SH", "NAME");
    roff_str(&r, "tasklint - ");
    roff_str(&r, tl_cli_help_summary);
    roff_eol(&r);

    roff_heading(&r, ".SH", "SYNOPSIS");
    for (size_t i = 0; tl_cli_usage_docs[i]; i++) {
        roff_raw(&r, ".SY tasklint\n");
        roff_usage(&r, tl_cli_usage_docs[i]);
        roff_raw(&r, "\n.YS\n");
    }
    for (size_t i = 0; tl_cli_command_docs[i].name; i++) {
        const tl_cli_command_doc *c = &tl_cli_command_docs[i];
        roff_raw(&r, ".SY tasklint\n");
        roff_usage(&r, c->name);
        if (*c->args) {
            roff_str(&r, " ");
            roff_usage(&r, c->args);
        }
        roff_raw(&r, "\n.YS\n");
    }

    roff_heading(&r, ".SH", "DESCRIPTION");
    for (size_t i = 0; tl_cli_description_docs[i]; i++) {
        roff_para(&r);
        roff_sentence(&r, tl_cli_description_docs[i]);
    }

    roff_heading(&r, ".SH", "OPTIONS");
    for (int sec = 0; sec < TL_OPTSEC_HIDDEN; sec++) {
        const tl_cli_section_doc *s = &tl_cli_option_sections[sec];
        roff_heading(&r, ".SS", s->title);
        if (s->intro) {
            roff_para(&r);
            roff_sentence(&r, s->intro);
        }
        for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++) {
            if ((int)d->section != sec) continue;
            char *label = tl_cli_option_label(d);
            roff_raw(&r, ".TP\n");
            roff_usage(&r, label);
            roff_eol(&r);
            roff_sentence(&r, d->help);
            free(label);
        }
    }

    roff_heading(&r, ".SH", "COMMANDS");
    for (size_t i = 0; tl_cli_command_docs[i].name; i++) {
        const tl_cli_command_doc *c = &tl_cli_command_docs[i];
        roff_raw(&r, ".TP\n");
        roff_usage(&r, "tasklint ");
        roff_usage(&r, c->name);
        if (*c->args) {
            roff_str(&r, " ");
            roff_usage(&r, c->args);
        }
        roff_eol(&r);
        roff_sentence(&r, c->help);
    }

    roff_heading(&r, ".SH", "RULES");
    roff_str(&r, "Each rule's documentation, as ");
    roff_font(&r, 'B', "tasklint --explain", 18);
    roff_str(&r, " ");
    roff_font(&r, 'I', "RULE", 4);
    roff_str(&r, " prints it.");
    roff_eol(&r);
    for (size_t i = 0; tl_rules[i]; i++) {
        const tl_rule *rule = tl_rules[i];
        roff_heading(&r, ".SS", rule->id);
        roff_sentence(&r, rule->summary);
        roff_raw(&r, ".PP\n");
        roff_str(&r, "Default severity: ");
        roff_str(&r, tl_severity_name(rule->severity));
        roff_str(&r, ".");
        if (rule->tags && *rule->tags) {
            roff_str(&r, " Tags: ");
            roff_str(&r, rule->tags);
            roff_str(&r, ".");
        }
        roff_eol(&r);
        roff_markdown(&r, rule->doc ? rule->doc : "");
    }
    for (size_t i = 0; tl_pseudo_rules[i].id; i++) {
        const tl_pseudo_rule *p = &tl_pseudo_rules[i];
        roff_heading(&r, ".SS", p->id);
        roff_str(&r, "Pseudo-rule: ");
        roff_sentence(&r, p->summary);
        roff_raw(&r, ".PP\n");
        roff_str(&r, "Default severity: ");
        roff_str(&r, tl_severity_name(p->severity));
        roff_str(&r, p->can_disable ? ". Can be disabled." : ". Cannot be disabled.");
        roff_eol(&r);
        roff_markdown(&r, p->doc);
    }

    roff_heading(&r, ".SH", "EXIT STATUS");
    man_entries(&r, tl_cli_exit_status_docs);
    roff_heading(&r, ".SH", "ENVIRONMENT");
    man_entries(&r, tl_cli_environment_docs);
    roff_heading(&r, ".SH", "FILES");
    man_entries(&r, man_files);

    roff_heading(&r, ".SH", "SEE ALSO");
    roff_raw(&r, ".BR clang (1),\n.BR git (1)\n.PP\n");
    roff_str(&r, "The pre-commit hook ");
    roff_font(&r, 'B', "tasklint-pre-commit", 19);
    roff_str(&r, " and the editor integrations (Vim, Neovim, Emacs, VS Code) in "
                 "share/tasklint/editors are installed with tasklint. The README and docs/ of "
                 "the tasklint sources describe the workflow, the findings store, the output "
                 "formats and the library model format.");
    roff_eol(&r);
}
