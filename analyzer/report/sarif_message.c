/* sarif_message.c - the message of a SARIF result with related locations:
 * its text with SARIF embedded links to them (see sarif_message.h).
 * sarif.c writes the relatedLocations these links point at. */
#include "report/sarif_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"
#include "util/xalloc.h"

/* A growing string for messages with embedded links. */
typedef struct {
    char *s;
    size_t len, cap;
} text_buf;

static void buf_putc(text_buf *b, char ch) {
    if (b->len + 2 > b->cap) {
        b->cap = b->cap * 2 + 64;
        b->s = tl_xrealloc(b->s, b->cap);
    }
    b->s[b->len++] = ch;
    b->s[b->len] = '\0';
}

static void buf_puts(text_buf *b, const char *s) {
    for (; *s; s++) buf_putc(b, *s);
}

/* Text in a message that holds embedded links: a literal '[', ']' or '\\'
 * gets a backslash (SARIF 3.11.6), so only the links are links. */
static void buf_put_escaped(text_buf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '[' || *s == ']' || *s == '\\') buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

#define MAX_MESSAGE_LINKS 10

char *tl_sarif_linked_message(const char *text, const tl_finding *f, int max_related) {
    text_buf b = {0};
    buf_put_escaped(&b, text);
    int id = 0, linked = 0;
    for (size_t k = 0; k < f->nnotes && id < max_related; k++) {
        const tl_note *n = &f->notes[k];
        if (!n->file || !*n->file) continue;
        id++; /* the note's relatedLocations id (write_result numbers them alike) */
        if (linked == MAX_MESSAGE_LINKS) continue;
        buf_puts(&b, linked ? ", [" : " (see [");
        char *label;
        if (f->file && !strcmp(n->file, f->file)) {
            label = tl_xasprintf("line %u", n->line);
        } else {
            const char *base = base_name(n->file);
            size_t cut = tl_utf8_truncate_len(base, strlen(base), 64);
            label = tl_xasprintf("%.*s:%u", (int)cut, base, n->line);
        }
        buf_put_escaped(&b, label);
        free(label);
        char target[32];
        snprintf(target, sizeof target, "](%d)", id);
        buf_puts(&b, target);
        linked++;
    }
    if (linked && id > linked) {
        char more[48];
        snprintf(more, sizeof more, " and %d more", id - linked);
        buf_puts(&b, more);
    }
    if (linked) buf_putc(&b, ')');
    return b.s;
}
