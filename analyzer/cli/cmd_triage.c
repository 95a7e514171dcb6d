/* cmd_triage.c - `tasklint triage FINGERPRINT STATE "reason"`: a decision
 * about a finding (false-positive, intentional, confirmed) kept per
 * fingerprint and applied to every later run.  A unique prefix of 8 or more
 * characters of a fingerprint the store has seen is enough. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

/* a stored (absolute) path, relative to the current directory when under it */
static const char *shown(const char *file) {
    static char *cwd;
    if (!file) return "?";
    if (!cwd) cwd = getcwd(NULL, 0);
    size_t n = cwd ? strlen(cwd) : 0;
    if (n && !strncmp(file, cwd, n) && file[n] == '/') return file + n + 1;
    return file;
}

int tl_cmd_triage(const tl_cli_options *o) {
    if (o->no_db) {
        fprintf(stderr, "tasklint: error: triage: needs the findings store (not --no-db)\n");
        return 2;
    }
    if (o->npaths != 3) {
        fprintf(stderr, "tasklint: error: triage: expected FINGERPRINT false-positive|intentional|"
                        "confirmed \"reason\"\n");
        return 2;
    }
    const char *prefix = o->paths[0], *state_s = o->paths[1], *reason = o->paths[2];
    size_t plen = strlen(prefix);
    bool hex = plen > 0;
    for (size_t i = 0; i < plen; i++) hex = hex && isxdigit((unsigned char)prefix[i]);
    if (!hex || plen < 8) {
        fprintf(stderr,
                "tasklint: error: triage: '%s' is not a fingerprint or a prefix of at least 8 "
                "hex digits\n",
                prefix);
        return 2;
    }
    tl_triage_state st;
    if (tl_triage_parse(state_s, &st) != 0 || st == TL_TRIAGE_NONE) {
        fprintf(stderr,
                "tasklint: error: triage: unknown state '%s' (false-positive, intentional or "
                "confirmed)\n",
                state_s);
        return 2;
    }
    while (*reason == ' ') reason++;
    if (!*reason) {
        fprintf(stderr, "tasklint: error: triage: give a reason\n");
        return 2;
    }
    char *root = tl_cli_root_for(".");
    tl_store *s = NULL;
    int rc = tl_cli_store_open(o, root, false, &s);
    free(root);
    if (rc) return rc;

    /* the fingerprints the store has seen that start with the prefix */
    tl_run *runs = NULL;
    size_t nruns = 0;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    char **match = NULL;
    size_t nmatch = 0;
    char *where = NULL;
    if (tl_store_runs(s, 0, &runs, &nruns, &e) != 0) {
        tl_cli_store_report(&e, "the findings store");
        tl_store_close(s);
        return 2;
    }
    for (size_t r = 0; r < nruns; r++) {
        tl_findings fs;
        tl_findings_init(&fs);
        memset(&e, 0, sizeof e);
        if (tl_store_run_findings(s, runs[r].id, &fs, &e) != 0) continue;
        for (size_t i = 0; i < fs.n; i++) {
            const tl_finding *f = &fs.items[i];
            if (!f->fingerprint || strncasecmp(f->fingerprint, prefix, plen) != 0) continue;
            bool seen = false;
            for (size_t k = 0; k < nmatch && !seen; k++) seen = !strcmp(match[k], f->fingerprint);
            if (seen) continue;
            match = tl_xrealloc(match, (nmatch + 1) * sizeof *match);
            match[nmatch++] = tl_xstrdup(f->fingerprint);
            if (!where)
                where = tl_xasprintf("%s:%u: [%s]%s%s%s", shown(f->file), f->line, f->rule,
                                     f->function ? " in " : "", f->function ? f->function : "",
                                     f->function ? "()" : "");
        }
        tl_findings_free(&fs);
    }
    tl_runs_free(runs, nruns);
    if (nmatch == 0) {
        fprintf(stderr, "tasklint: error: triage: no finding with fingerprint '%s' in the store\n",
                prefix);
        rc = 2;
    } else if (nmatch > 1) {
        fprintf(stderr, "tasklint: error: triage: '%s' matches %zu fingerprints; give more of it:\n",
                prefix, nmatch);
        for (size_t k = 0; k < nmatch && k < 10; k++) {
            fputs("  ", stderr);
            tl_term_puts(stderr, match[k]);
            fputc('\n', stderr);
        }
        rc = 2;
    } else {
        memset(&e, 0, sizeof e);
        if (tl_store_triage_set(s, match[0], st, reason, &e) != 0) {
            tl_cli_store_report(&e, "the findings store");
            rc = 2;
        } else {
            /* the fingerprint and where it was seen come from the store */
            tl_term_puts(stdout, match[0]);
            printf(" %s: ", tl_triage_name(st));
            tl_term_puts(stdout, reason);
            fputs(" (", stdout);
            tl_term_puts(stdout, where);
            fputs(")\n", stdout);
        }
    }
    for (size_t k = 0; k < nmatch; k++) free(match[k]);
    free(match);
    free(where);
    tl_store_close(s);
    return rc;
}
