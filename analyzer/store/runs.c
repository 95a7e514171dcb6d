/* runs.c - runs: begin, finish, history, counts per rule; recognising runs
 * whose process died (SIGKILL, crash, power cut) while they were "running".
 *
 * A run row records the process writing it: pid, host name, boot id
 * (/proc/sys/kernel/random/boot_id) and the process start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot).  A 'running' run belongs to a
 * dead process when, on the same host, the boot id differs (rebooted since),
 * or no process has that pid, or the process with that pid started at
 * another time (the pid was reused).  Such runs are reported as failed by
 * tl_store_runs and marked failed in the table when the next run begins.
 * A run of another host (a shared network drive) cannot be checked: it is
 * considered dead once it has been running for 24 hours. */
#include "store/store_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define FOREIGN_RUN_MAX_SECONDS (24 * 3600)

static void read_first_line(const char *file, char *out, size_t outsz) {
    out[0] = '\0';
    FILE *f = fopen(file, "re");
    if (!f) return;
    if (fgets(out, (int)outsz, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* Start time of a process in clock ticks since boot, or -1; *zombie is set
   when it has exited and waits to be reaped. */
static int64_t proc_start_time(int64_t pid, bool *zombie) {
    char path[64], buf[1024];
    *zombie = false;
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name (field 2) is in parentheses and may contain spaces */
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p++;
    while (*p == ' ') p++;
    *zombie = *p == 'Z' || *p == 'X';
    /* fields 3..21 precede starttime (22) */
    for (int field = 3; field < 22; field++) {
        while (*p == ' ') p++;
        while (*p && *p != ' ') p++;
    }
    while (*p == ' ') p++;
    if (!*p) return -1;
    return strtoll(p, NULL, 10);
}

typedef struct {
    char host[256];
    char boot_id[64];
} self_identity;

static void self_id(self_identity *id) {
    if (gethostname(id->host, sizeof id->host) != 0) id->host[0] = '\0';
    id->host[sizeof id->host - 1] = '\0';
    read_first_line("/proc/sys/kernel/random/boot_id", id->boot_id, sizeof id->boot_id);
}

static int64_t iso_age_seconds(const char *iso) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
    time_t t = timegm(&tm);
    return (int64_t)(time(NULL) - t);
}

bool tl_store__owner_alive(const tl_run_owner *o) {
    self_identity me;
    self_id(&me);
    if (!o->host || strcmp(o->host, me.host) != 0)
        return iso_age_seconds(o->started) < FOREIGN_RUN_MAX_SECONDS;
    if (o->boot_id && *o->boot_id && *me.boot_id && strcmp(o->boot_id, me.boot_id) != 0)
        return false;
    if (o->pid <= 0) return false;
    if (kill((pid_t)o->pid, 0) != 0 && errno == ESRCH) return false;
    bool zombie;
    int64_t st = proc_start_time(o->pid, &zombie);
    if (zombie) return false;
    if (st >= 0 && o->proc_start > 0 && st != o->proc_start) return false; /* pid reused */
    /* alive, or hidden from us (hidepid): assume alive */
    return true;
}

static bool row_owner_alive(sqlite3_stmt *st, int c_pid, int c_host, int c_boot, int c_start,
                            int c_started) {
    tl_run_owner o = {
        .pid = sqlite3_column_int64(st, c_pid),
        .host = (const char *)sqlite3_column_text(st, c_host),
        .boot_id = (const char *)sqlite3_column_text(st, c_boot),
        .proc_start = sqlite3_column_int64(st, c_start),
        .started = (const char *)sqlite3_column_text(st, c_started),
    };
    return tl_store__owner_alive(&o);
}

/* Inside a write transaction: mark the runs of dead processes failed. */
static int mark_stale_runs(tl_store *s, tl_store_error *err) {
    sqlite3_stmt *q = tl_store__stmt(s, ST_RUNS_RUNNING, err);
    if (!q) return -1;
    int64_t *dead = NULL;
    size_t ndead = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (!row_owner_alive(q, 1, 2, 3, 4, 5)) {
            dead = tl_xrealloc(dead, (ndead + 1) * sizeof *dead);
            dead[ndead++] = sqlite3_column_int64(q, 0);
        }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        free(dead);
        return tl_store__fail(s, rc, "reading running runs", err);
    }
    for (size_t i = 0; i < ndead; i++) {
        sqlite3_stmt *u = tl_store__stmt(s, ST_RUN_MARK_FAILED, err);
        if (!u) {
            free(dead);
            return -1;
        }
        sqlite3_bind_int64(u, 1, dead[i]);
        rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE) {
            free(dead);
            return tl_store__fail(s, rc, "marking a dead run failed", err);
        }
    }
    free(dead);
    return 0;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v) {
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int64_t tl_store_run_begin(tl_store *s, const tl_run_info *info, tl_store_error *err) {
    tl_store__ok(err);
    static const tl_run_info none = {0};
    if (!info) info = &none;
    if (tl_store__begin(s, err)) return -1;
    if (mark_stale_runs(s, err)) goto fail;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_INSERT, err);
    if (!st) goto fail;
    char now[32];
    tl_store__now_iso(now);
    self_identity me;
    self_id(&me);
    pid_t pid = getpid();
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 2, info->tool_version);
    bind_text_or_null(st, 3, info->config_hash);
    bind_text_or_null(st, 4, info->git_commit);
    bind_text_or_null(st, 5, info->git_branch);
    bind_text_or_null(st, 6, info->command_line);
    bind_text_or_null(st, 7, info->root);
    sqlite3_bind_int64(st, 8, pid);
    sqlite3_bind_text(st, 9, me.host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, me.boot_id, -1, SQLITE_TRANSIENT);
    bool zombie;
    sqlite3_bind_int64(st, 11, proc_start_time(pid, &zombie));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tl_store__fail(s, rc, "starting a run", err);
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(s->db);
    if (tl_store__commit(s, err)) return -1;
    return id;
fail:
    tl_store__rollback(s);
    return -1;
}

int tl_store_run_finish(tl_store *s, int64_t run, bool complete, tl_store_error *err) {
    tl_store__ok(err);
    if (tl_store__begin(s, err)) return -1;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_FINISH, err);
    if (!st) goto fail;
    char now[32];
    tl_store__now_iso(now);
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, complete ? "complete" : "failed", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tl_store__fail(s, rc, "finishing the run", err);
        goto fail;
    }
    if (sqlite3_changes(s->db) == 0) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "%s: no run %lld", s->path, (long long)run);
        goto fail;
    }
    return tl_store__commit(s, err);
fail:
    tl_store__rollback(s);
    return -1;
}

static tl_run_status parse_status(const char *t) {
    if (t && strcmp(t, "complete") == 0) return TL_RUN_COMPLETE;
    if (t && strcmp(t, "running") == 0) return TL_RUN_RUNNING;
    return TL_RUN_FAILED;
}

static void copy_iso(char out[32], sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, 32, "%s", t ? (const char *)t : "");
}

int tl_store_runs(tl_store *s, int limit, tl_run **out, size_t *n, tl_store_error *err) {
    tl_store__ok(err);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUNS_LIST, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = tl_xrealloc(*out, cap * sizeof **out);
        }
        tl_run *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->status = parse_status((const char *)sqlite3_column_text(st, 1));
        copy_iso(r->started, st, 2);
        copy_iso(r->finished, st, 3);
        r->tool_version = tl_store__col_dup(st, 4);
        r->config_hash = tl_store__col_dup(st, 5);
        r->git_commit = tl_store__col_dup(st, 6);
        r->git_branch = tl_store__col_dup(st, 7);
        r->command_line = tl_store__col_dup(st, 8);
        r->nfindings = sqlite3_column_int(st, 13);
        r->nfiles = sqlite3_column_int(st, 14);
        r->nreused = sqlite3_column_int(st, 15);
        if (r->status == TL_RUN_RUNNING && !row_owner_alive(st, 9, 10, 11, 12, 2))
            r->status = TL_RUN_FAILED;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tl_runs_free(*out, *n);
        *out = NULL;
        *n = 0;
        return tl_store__fail(s, rc, "listing runs", err);
    }
    return 0;
}

void tl_runs_free(tl_run *runs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(runs[i].tool_version);
        free(runs[i].config_hash);
        free(runs[i].git_commit);
        free(runs[i].git_branch);
        free(runs[i].command_line);
    }
    free(runs);
}

int tl_store_run_rule_counts(tl_store *s, int64_t run, char ***rules, int **counts, size_t *n,
                             tl_store_error *err) {
    tl_store__ok(err);
    *rules = NULL;
    *counts = NULL;
    *n = 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_GET_STATUS, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "%s: no run %lld", s->path, (long long)run);
        return -1;
    }
    if (rc != SQLITE_ROW) return tl_store__fail(s, rc, "reading a run", err);
    if (!(st = tl_store__stmt(s, ST_RUN_RULE_COUNTS, err))) return -1;
    sqlite3_bind_int64(st, 1, run);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *rules = tl_xrealloc(*rules, cap * sizeof **rules);
            *counts = tl_xrealloc(*counts, cap * sizeof **counts);
        }
        (*rules)[*n] = tl_store__col_dup(st, 0);
        (*counts)[*n] = sqlite3_column_int(st, 1);
        (*n)++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < *n; i++) free((*rules)[i]);
        free(*rules);
        free(*counts);
        *rules = NULL;
        *counts = NULL;
        *n = 0;
        return tl_store__fail(s, rc, "counting findings per rule", err);
    }
    return 0;
}

int64_t tl_store_last_complete_run(tl_store *s, int64_t before_run) {
    tl_store_error err;
    sqlite3_stmt *st =
        tl_store__stmt(s, before_run > 0 ? ST_LAST_COMPLETE_BEFORE : ST_LAST_COMPLETE, &err);
    if (!st) return 0;
    if (before_run > 0) sqlite3_bind_int64(st, 1, before_run);
    int64_t id = 0;
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

int tl_store_run_files(tl_store *s, int64_t run, char ***paths, size_t *n, tl_store_error *err) {
    *paths = NULL;
    *n = 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_FILES, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        if (!p) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *paths = tl_xrealloc(*paths, cap * sizeof **paths);
        }
        (*paths)[(*n)++] = tl_xstrdup(p);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tl_store_paths_free(*paths, *n);
        *paths = NULL;
        *n = 0;
        return tl_store__fail(s, rc, "reading the files of a run", err);
    }
    tl_store__ok(err);
    return 0;
}

void tl_store_paths_free(char **paths, size_t n) {
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
}
