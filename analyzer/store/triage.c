/* triage.c - triage decisions kept per fingerprint, so they survive
 * re-runs: false-positive, intentional or confirmed, always with a reason. */
#include "store/store_internal.h"

#include <ctype.h>
#include <string.h>

static const char *const names[] = {
    [TL_TRIAGE_NONE] = "none",
    [TL_TRIAGE_FALSE_POSITIVE] = "false-positive",
    [TL_TRIAGE_INTENTIONAL] = "intentional",
    [TL_TRIAGE_CONFIRMED] = "confirmed",
};

const char *tl_triage_name(tl_triage_state st) {
    if ((int)st >= 0 && (size_t)st < sizeof names / sizeof names[0]) return names[st];
    return NULL;
}

int tl_triage_parse(const char *s, tl_triage_state *out) {
    if (!s) return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (tl_triage_state)i;
            return 0;
        }
    return -1;
}

static bool blank(const char *s) {
    if (!s) return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

int tl_store_triage_set(tl_store *s, const char *fingerprint, tl_triage_state st,
                        const char *reason, tl_store_error *err) {
    tl_store__ok(err);
    if (blank(fingerprint)) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "no fingerprint given");
        return -1;
    }
    if (!tl_triage_name(st)) {
        tl_store__set_error(err, TL_STORE_E_IO, "unknown triage state %d", (int)st);
        return -1;
    }
    if (st != TL_TRIAGE_NONE && blank(reason)) {
        tl_store__set_error(err, TL_STORE_E_IO,
                            "a triage decision needs a reason (why is %s %s?)", fingerprint,
                            names[st]);
        return -1;
    }
    if (tl_store__begin(s, err)) return -1;
    sqlite3_stmt *q = tl_store__stmt(s, ST_FINGERPRINT_EXISTS, err);
    if (!q) goto fail;
    sqlite3_bind_text(q, 1, fingerprint, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc == SQLITE_DONE) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND,
                            "no finding has the fingerprint %s in %s", fingerprint, s->path);
        goto fail;
    }
    if (rc != SQLITE_ROW) {
        tl_store__fail(s, rc, "looking up a fingerprint", err);
        goto fail;
    }
    sqlite3_stmt *w = tl_store__stmt(s, st == TL_TRIAGE_NONE ? ST_TRIAGE_DELETE : ST_TRIAGE_UPSERT,
                                     err);
    if (!w) goto fail;
    sqlite3_bind_text(w, 1, fingerprint, -1, SQLITE_STATIC);
    if (st != TL_TRIAGE_NONE) {
        char now[32];
        tl_store__now_iso(now);
        sqlite3_bind_text(w, 2, names[st], -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 3, reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 4, now, -1, SQLITE_TRANSIENT);
    }
    rc = sqlite3_step(w);
    sqlite3_reset(w);
    sqlite3_clear_bindings(w);
    if (rc != SQLITE_DONE) {
        tl_store__fail(s, rc, "recording a triage decision", err);
        goto fail;
    }
    return tl_store__commit(s, err);
fail:
    tl_store__rollback(s);
    return -1;
}

int tl_store_triage_apply(tl_store *s, tl_findings *fs, tl_store_error *err) {
    tl_store__ok(err);
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (!f->fingerprint) continue;
        sqlite3_stmt *q = tl_store__stmt(s, ST_TRIAGE_GET, err);
        if (!q) return -1;
        sqlite3_bind_text(q, 1, f->fingerprint, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            tl_triage_state ts;
            if (tl_triage_parse((const char *)sqlite3_column_text(q, 0), &ts) == 0)
                tl_finding_set_triage(f, (int)ts, (const char *)sqlite3_column_text(q, 1));
        }
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tl_store__fail(s, rc, "reading triage decisions", err);
    }
    return 0;
}
