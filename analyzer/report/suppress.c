/* suppress.c - scanning and applying tasklint-ignore comments. */
#include "report/suppress.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis_limit.h"
#include "rules/rule.h"
#include "util/xalloc.h"

#define KEYWORD "tasklint-ignore"
#define KEYWORD_LEN (sizeof KEYWORD - 1)

void tl_suppress_init(tl_suppress_set *s) {
    memset(s, 0, sizeof *s);
    tl_findings_init(&s->problems);
}

void tl_suppress_free(tl_suppress_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->items[i].nrules; j++) free(s->items[i].rules[j]);
        free(s->items[i].rules);
        free(s->items[i].rule_used);
    }
    free(s->items);
    free(s->file);
    tl_findings_free(&s->problems);
    tl_suppress_init(s);
}

bool tl_suppress_rule_suppressible(const char *rule) {
    return rule && strcmp(rule, "clang-diagnostic") != 0 &&
           strcmp(rule, TL_SUPPRESSION_RULE) != 0 && strcmp(rule, TL_ANALYSIS_LIMIT_RULE) != 0;
}

/* ---- positions ---- */

typedef struct {
    const char *text;
    size_t len;
    size_t *starts; /* offset of each line's first byte; starts[0] = 0 */
    size_t nlines;
} linemap;

static void linemap_init(linemap *m, const char *text, size_t len) {
    m->text = text;
    m->len = len;
    size_t cap = 64;
    m->starts = tl_xmalloc(cap * sizeof *m->starts);
    m->nlines = 0;
    m->starts[m->nlines++] = 0;
    for (const char *p = text, *end = text + len; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        if (m->nlines == cap) {
            cap *= 2;
            m->starts = tl_xrealloc(m->starts, cap * sizeof *m->starts);
        }
        m->starts[m->nlines++] = (size_t)(p - text) + 1;
    }
}

/* The first KEYWORD in t[from, end), or NULL. */
static const char *find_keyword(const char *t, size_t from, size_t end) {
    return from < end ? memmem(t + from, end - from, KEYWORD, KEYWORD_LEN) : NULL;
}

static void linemap_pos(const linemap *m, size_t off, unsigned *line, unsigned *col) {
    size_t lo = 0, hi = m->nlines; /* last start <= off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->starts[mid] <= off) lo = mid;
        else hi = mid;
    }
    *line = (unsigned)(lo + 1);
    *col = (unsigned)(off - m->starts[lo] + 1);
}

/* ---- directives ---- */

static void problem(tl_suppress_set *s, const linemap *m, size_t off, const char *fmt,
                    const char *a) __attribute__((format(printf, 4, 0)));

static void problem(tl_suppress_set *s, const linemap *m, size_t off, const char *fmt,
                    const char *a) {
    unsigned line, col;
    linemap_pos(m, off, &line, &col);
    tl_findings_addf(&s->problems, TL_SUPPRESSION_RULE, TL_SEV_WARNING, s->file, line, col,
                     NULL, fmt, a ? a : "");
}

static char *valid_rule_list(void) {
    size_t n = 0;
    for (size_t i = 0; tl_rules[i]; i++) n += strlen(tl_rules[i]->id) + 2;
    char *out = tl_xmalloc(n + 1);
    out[0] = 0;
    for (size_t i = 0; tl_rules[i]; i++) {
        if (i) strcat(out, ", ");
        strcat(out, tl_rules[i]->id);
    }
    return out;
}

static tl_suppression *add_sup(tl_suppress_set *s) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->items = tl_xrealloc(s->items, s->cap * sizeof *s->items);
    }
    tl_suppression *p = &s->items[s->n++];
    memset(p, 0, sizeof *p);
    return p;
}

static bool is_id_char(char c) {
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* Parse "(RULES)" at text[*i..end); fills sup (rules / all).  Returns false
 * on a syntax error (already reported). */
static bool parse_rules(tl_suppress_set *s, const linemap *m, const char *t, size_t *ip,
                        size_t end, tl_suppression *sup, const char *directive) {
    size_t i = *ip;
    if (i >= end || t[i] != '(') {
        problem(s, m, i < end ? i : end, "malformed suppression: expected '(RULES)' after %s",
                directive);
        return false;
    }
    i++;
    size_t nnamed = 0;
    for (;;) {
        while (i < end && (t[i] == ' ' || t[i] == '\t')) i++;
        if (i < end && t[i] == ')' && nnamed == 0) {
            problem(s, m, i, "malformed suppression: empty rule list in %s "
                    "(name rule ids, or '*' for all rules)", directive);
            return false;
        }
        size_t start = i;
        if (i < end && t[i] == '*') i++;
        else
            while (i < end && is_id_char(t[i])) i++;
        if (i == start) {
            problem(s, m, i < end ? i : end,
                    "malformed suppression: expected a rule id or '*' in %s", directive);
            return false;
        }
        char *id = tl_xstrndup(t + start, i - start);
        nnamed++;
        if (strcmp(id, "*") == 0) {
            sup->all = true;
            free(id);
        } else if (!tl_suppress_rule_suppressible(id)) {
            problem(s, m, start, "%s findings cannot be suppressed", id);
            free(id);
        } else if (!tl_rule_find(id)) {
            char *valid = valid_rule_list();
            char *msg = tl_xasprintf("unknown rule '%s' in suppression (valid rules: %s)", id,
                                     valid);
            problem(s, m, start, "%s", msg);
            free(msg);
            free(valid);
            free(id);
        } else {
            bool dup = false;
            for (size_t k = 0; k < sup->nrules; k++)
                if (strcmp(sup->rules[k], id) == 0) dup = true;
            if (dup) {
                free(id);
            } else {
                sup->rules = tl_xrealloc(sup->rules, (sup->nrules + 1) * sizeof *sup->rules);
                sup->rules[sup->nrules++] = id;
            }
        }
        while (i < end && (t[i] == ' ' || t[i] == '\t')) i++;
        if (i < end && t[i] == ',') {
            i++;
            continue;
        }
        if (i < end && t[i] == ')') {
            i++;
            break;
        }
        problem(s, m, i < end ? i : end,
                "malformed suppression: expected ',' or ')' in the rule list of %s", directive);
        return false;
    }
    sup->rule_used = tl_xcalloc(sup->nrules ? sup->nrules : 1, sizeof *sup->rule_used);
    *ip = i;
    return true;
}

/* Is there a reason ": text" at t[i..end)? */
static bool has_reason(const char *t, size_t i, size_t end) {
    while (i < end && isspace((unsigned char)t[i])) i++;
    if (i >= end || t[i] != ':') return false;
    i++;
    for (; i < end; i++) {
        char c = t[i];
        if (isspace((unsigned char)c) || c == '*' || c == '/') continue;
        return true;
    }
    return false;
}

typedef struct {
    size_t *offs; /* open begin directives: index into s->items */
    size_t n, cap;
} begin_stack;

/* One comment's text t[start..end): find the directives in it. comment_end_line
 * is the line the comment ends on (for -next-line). */
static void scan_comment(tl_suppress_set *s, const linemap *m, size_t start, size_t end,
                         begin_stack *stack) {
    const char *t = m->text;
    unsigned comment_end_line, dummy;
    linemap_pos(m, end > start ? end - 1 : start, &comment_end_line, &dummy);
    size_t i = start;
    while (i + KEYWORD_LEN <= end) {
        const char *hit = find_keyword(t, i, end);
        if (!hit) break;
        size_t at = (size_t)(hit - t);
        size_t p = at + KEYWORD_LEN;
        /* the directive's text reaches up to the next directive */
        const char *next = find_keyword(t, p, end);
        size_t dir_end = next ? (size_t)(next - t) : end;
        i = dir_end;
        if (at > start && is_id_char(t[at - 1])) continue; /* part of another word */

        tl_sup_kind kind;
        const char *name;
        if (p < dir_end && t[p] == '(') {
            kind = TL_SUP_LINE;
            name = "tasklint-ignore";
        } else if (dir_end - p >= 10 && memcmp(t + p, "-next-line", 10) == 0) {
            kind = TL_SUP_NEXT_LINE;
            name = "tasklint-ignore-next-line";
            p += 10;
        } else if (dir_end - p >= 6 && memcmp(t + p, "-begin", 6) == 0) {
            kind = TL_SUP_RANGE;
            name = "tasklint-ignore-begin";
            p += 6;
        } else if (dir_end - p >= 4 && memcmp(t + p, "-end", 4) == 0 &&
                   (p + 4 >= dir_end || !is_id_char(t[p + 4]))) {
            if (stack->n == 0) {
                problem(s, m, at, "%stasklint-ignore-end without a matching tasklint-ignore-begin",
                        NULL);
            } else {
                tl_suppression *b = &s->items[stack->offs[--stack->n]];
                unsigned line, col;
                linemap_pos(m, at, &line, &col);
                b->last = line;
            }
            continue;
        } else if (dir_end - p >= 5 && memcmp(t + p, "-file", 5) == 0) {
            kind = TL_SUP_FILE;
            name = "tasklint-ignore-file";
            p += 5;
        } else if (p < dir_end && (t[p] == ':' || t[p] == '-')) {
            problem(s, m, at,
                    "malformed suppression%s: write tasklint-ignore(RULES): reason "
                    "(or -next-line, -begin/-end, -file)",
                    NULL);
            continue;
        } else {
            continue; /* the word mentioned in prose */
        }

        tl_suppression sup;
        memset(&sup, 0, sizeof sup);
        sup.kind = kind;
        linemap_pos(m, at, &sup.line, &sup.col);
        bool parsed = parse_rules(s, m, t, &p, dir_end, &sup, name);
        if (!parsed) {
            for (size_t k = 0; k < sup.nrules; k++) free(sup.rules[k]);
            free(sup.rules);
            free(sup.rule_used);
            sup.rules = NULL;
            sup.rule_used = NULL;
            sup.nrules = 0;
            sup.all = false;
            if (kind != TL_SUP_RANGE) continue; /* a begin still pairs with its end */
        }
        if (parsed && !has_reason(t, p, dir_end))
            problem(s, m, at,
                    "suppression without a reason: write %s(RULES): why this is fine", name);
        switch (kind) {
        case TL_SUP_LINE: sup.first = sup.last = sup.line; break;
        case TL_SUP_NEXT_LINE: sup.first = sup.last = comment_end_line + 1; break;
        case TL_SUP_RANGE: sup.first = sup.line; sup.last = UINT_MAX; break;
        case TL_SUP_FILE: sup.first = 0; sup.last = UINT_MAX; break;
        }
        if (sup.nrules == 0 && !sup.all) {
            /* nothing valid named: the problem is reported; nothing to apply */
            free(sup.rules);
            free(sup.rule_used);
            if (kind != TL_SUP_RANGE) continue;
            /* keep the begin so that its end balances */
            sup.rules = NULL;
            sup.rule_used = tl_xcalloc(1, sizeof *sup.rule_used);
            sup.used = true; /* never report as unused */
        }
        tl_suppression *dst = add_sup(s);
        *dst = sup;
        if (kind == TL_SUP_RANGE) {
            if (stack->n == stack->cap) {
                stack->cap = stack->cap ? stack->cap * 2 : 4;
                stack->offs = tl_xrealloc(stack->offs, stack->cap * sizeof *stack->offs);
            }
            stack->offs[stack->n++] = s->n - 1;
        }
    }
}

void tl_suppress_scan(tl_suppress_set *s, const char *file, const char *text, size_t len) {
    free(s->file);
    s->file = tl_xstrdup(file ? file : "");
    if (!text) return;
    linemap m;
    linemap_init(&m, text, len);
    begin_stack stack = {0};
    /* the bytes that may start a literal or a comment */
    static const bool special[256] = {['"'] = true, ['\''] = true, ['/'] = true};
    size_t i = 0;
    while (i < len) {
        while (i < len && !special[(unsigned char)text[i]]) i++;
        if (i >= len) break;
        char c = text[i];
        if (c == '"' || c == '\'') {
            /* string or character literal: up to the closing quote, or the end
               of the line for an unterminated one */
            char q = c;
            i++;
            while (i < len && text[i] != q && text[i] != '\n') {
                if (text[i] == '\\' && i + 1 < len) i++;
                i++;
            }
            if (i < len && text[i] == q) i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
            size_t start = i + 2, j = start;
            /* a line comment ends at a newline not escaped by a backslash */
            for (;;) {
                const char *nl = j < len ? memchr(text + j, '\n', len - j) : NULL;
                if (!nl) {
                    j = len;
                    break;
                }
                j = (size_t)(nl - text);
                if (j > start && text[j - 1] == '\\') {
                    j++;
                    continue;
                }
                break;
            }
            scan_comment(s, &m, start, j, &stack);
            i = j;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            size_t start = i + 2;
            const char *close = start < len ? memmem(text + start, len - start, "*/", 2) : NULL;
            size_t j = close ? (size_t)(close - text) : len;
            size_t end = j + 1 < len ? j : len;
            scan_comment(s, &m, start, end, &stack);
            i = j + 1 < len ? j + 2 : len;
        } else {
            i++;
        }
    }
    for (size_t k = 0; k < stack.n; k++) {
        tl_suppression *b = &s->items[stack.offs[k]];
        tl_findings_addf(&s->problems, TL_SUPPRESSION_RULE, TL_SEV_WARNING, s->file, b->line,
                         b->col, NULL,
                         "tasklint-ignore-begin without a matching tasklint-ignore-end "
                         "(suppresses up to the end of the file)");
    }
    free(stack.offs);
    free(m.starts);
}

/* Does sup cover finding f?  Marks what matched as used. */
static bool apply_one(tl_suppression *sup, const tl_finding *f) {
    if (f->line < sup->first || f->line > sup->last) return false;
    bool match = sup->all;
    for (size_t r = 0; r < sup->nrules; r++)
        if (strcmp(sup->rules[r], f->rule) == 0) {
            sup->rule_used[r] = true;
            match = true;
        }
    if (match) sup->used = true;
    return match;
}

static int cmp_first_line(const void *a, const void *b) {
    const tl_suppression *x = *(tl_suppression *const *)a, *y = *(tl_suppression *const *)b;
    return (x->first > y->first) - (x->first < y->first);
}

size_t tl_suppress_apply(tl_suppress_set *s, tl_findings *fs) {
    size_t count = 0;
    if (!s->file) return 0;
    /* one-line suppressions sorted by their line, found by binary search;
       ranges and files (few) are tried for every finding */
    tl_suppression **lines = tl_xmalloc((s->n + 1) * sizeof *lines);
    tl_suppression **spans = tl_xmalloc((s->n + 1) * sizeof *spans);
    size_t nlines = 0, nspans = 0;
    for (size_t k = 0; k < s->n; k++) {
        tl_suppression *sup = &s->items[k];
        if (sup->first == sup->last) lines[nlines++] = sup;
        else spans[nspans++] = sup;
    }
    qsort(lines, nlines, sizeof *lines, cmp_first_line);
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (!f->file || strcmp(f->file, s->file) != 0) continue;
        if (!tl_suppress_rule_suppressible(f->rule)) continue;
        bool match = false;
        size_t lo = 0, hi = nlines; /* first one-line suppression at or after f's line */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (lines[mid]->first < f->line) lo = mid + 1;
            else hi = mid;
        }
        for (size_t k = lo; k < nlines && lines[k]->first == f->line; k++) match |= apply_one(lines[k], f);
        for (size_t k = 0; k < nspans; k++) match |= apply_one(spans[k], f);
        if (match && !f->suppressed) {
            f->suppressed = true;
            count++;
        }
    }
    free(lines);
    free(spans);
    return count;
}

static bool rule_enabled_by_id(const bool *rule_enabled, const char *id) {
    if (!rule_enabled) return true;
    for (size_t i = 0; tl_rules[i]; i++)
        if (strcmp(tl_rules[i]->id, id) == 0) return rule_enabled[i];
    return true;
}

void tl_suppress_report(const tl_suppress_set *s, const bool *rule_enabled,
                        tl_findings *out) {
    for (size_t i = 0; i < s->problems.n; i++) {
        const tl_finding *p = &s->problems.items[i];
        tl_findings_add(out, p->rule, p->severity, p->file, p->line, p->col, p->function,
                        p->message);
    }
    static const char *const where[] = {"on this line", "on the next line",
                                        "in this range", "in this file"};
    for (size_t i = 0; i < s->n; i++) {
        const tl_suppression *sup = &s->items[i];
        if (sup->all) {
            if (sup->used) continue;
            bool any_enabled = false;
            for (size_t r = 0; tl_rules[r]; r++)
                if (!rule_enabled || rule_enabled[r]) any_enabled = true;
            if (!any_enabled) continue;
            tl_findings_addf(out, TL_SUPPRESSION_RULE, TL_SEV_WARNING, s->file, sup->line,
                             sup->col, NULL, "unused suppression: no finding %s",
                             where[sup->kind]);
            continue;
        }
        /* name the rules that suppressed nothing */
        char *names = NULL;
        size_t nunused = 0;
        for (size_t r = 0; r < sup->nrules; r++) {
            if (sup->rule_used[r] || !rule_enabled_by_id(rule_enabled, sup->rules[r])) continue;
            char *nn = names ? tl_xasprintf("%s, %s", names, sup->rules[r])
                             : tl_xstrdup(sup->rules[r]);
            free(names);
            names = nn;
            nunused++;
        }
        if (nunused)
            tl_findings_addf(out, TL_SUPPRESSION_RULE, TL_SEV_WARNING, s->file, sup->line,
                             sup->col, NULL, "unused suppression: no %s finding %s", names,
                             where[sup->kind]);
        free(names);
    }
}
