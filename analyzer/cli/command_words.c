/* command_words.c - splitting a command line into words the way clang does
 * for compile_commands.json "command" strings and for response files (see
 * tl_split_mode in compile_args.h), and the string vector both use. */
#include <stdlib.h>
#include <string.h>

#include "cli/compile_args.h"
#include "util/xalloc.h"

void tl_strvec_pushn(tl_strvec *s, const char *arg, size_t len) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = tl_xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
    }
    s->v[s->n++] = tl_xstrndup(arg, len);
}

void tl_strvec_push(tl_strvec *s, const char *arg) { tl_strvec_pushn(s, arg, strlen(arg)); }

void tl_strvec_free(tl_strvec *s) {
    for (int i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The word being built. */
typedef struct {
    char *buf;
    size_t len, cap;
    bool started; /* a quote makes a word even if it stays empty */
} word;

static void word_add(word *w, char c) {
    if (w->len + 1 >= w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->buf = tl_xrealloc(w->buf, w->cap);
    }
    w->buf[w->len++] = c;
    w->started = true;
}

static void word_end(word *w, tl_split_mode mode, tl_strvec *out) {
    /* GNU-style response files drop an empty quoted word; clang's JSON
       database keeps it */
    if (w->len || (w->started && mode == TL_SPLIT_COMMAND))
        tl_strvec_pushn(out, w->buf ? w->buf : "", w->len);
    w->len = 0;
    w->started = false;
}

int tl_split_command_line(const char *text, size_t len, tl_split_mode mode, tl_strvec *out,
                          char **error) {
    word w = {0};
    size_t i = 0;
    int rc = 0;
    while (i < len) {
        char c = text[i];
        if (is_blank(c)) {
            word_end(&w, mode, out);
            i++;
        } else if (c == '\\') {
            if (i + 1 >= len) {
                *error = tl_xstrdup("a backslash at the end of the command");
                rc = -1;
                break;
            }
            word_add(&w, text[i + 1]);
            i += 2;
        } else if (c == '"' || c == '\'') {
            bool escapes = c == '"' || mode == TL_SPLIT_RESPONSE;
            size_t open = i++;
            w.started = true;
            while (i < len && text[i] != c) {
                if (escapes && text[i] == '\\' && i + 1 < len) i++;
                word_add(&w, text[i]);
                i++;
            }
            if (i >= len) {
                *error = tl_xasprintf("the quote (%c) at offset %zu is not closed", c, open);
                rc = -1;
                break;
            }
            i++; /* the closing quote */
        } else {
            word_add(&w, c);
            i++;
        }
    }
    if (rc == 0) word_end(&w, mode, out);
    free(w.buf);
    return rc;
}
