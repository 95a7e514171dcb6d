/* show_config.c - --show-config: the settings a run with these options would
 * use, and where each comes from (an option, the environment, a config
 * file, the built-in default), printed without analysing anything.  The
 * project config is looked up from the first PATH (else the current
 * directory) the way the driver looks it up for each file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "model/model.h"
#include "model/per_path.h"
#include "rules/rule.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

static void put_path(FILE *out, const char *label, const char *path, const char *from) {
    fprintf(out, "%-9s ", label);
    tl_term_puts(out, path);
    fprintf(out, " (%s)\n", from);
}

static bool listed(char *const *v, size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], id)) return true;
    return false;
}

static void put_names(FILE *out, const char *what, char *const *v, size_t n) {
    if (!n) return;
    fprintf(out, " %s ", what);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', out);
        tl_term_puts(out, v[i]);
    }
}

static void put_entry(FILE *out, const tl_per_path *e, const char *from) {
    fputs("  ", out);
    tl_term_puts(out, e->glob);
    fputc(':', out);
    if (e->profile >= 0)
        fprintf(out, " profile %s", e->profile == TL_PROFILE_STRICT ? "strict" : "default");
    put_names(out, "disable", e->disable, e->ndisable);
    put_names(out, "enable", e->enable, e->nenable);
    if (e->line) fprintf(out, " (%s, line %d)\n", from, e->line);
    else fprintf(out, " (%s)\n", from);
}

/* The per-path entries in the order they apply (per_path.h). */
static void show_per_path(FILE *out, const tl_model_set *settings, const char *base) {
    fputs("per-path: (globs relative to ", out);
    tl_term_puts(out, base);
    fputs("; every matching entry applies, later ones win; --profile, --enable and --disable "
          "win over them)\n", out);
    if (settings->no_path_defaults)
        fputs("  built-in entries off (config: per-path-defaults: false)\n", out);
    else
        for (size_t i = 0; i < tl_per_path_nbuiltin; i++)
            put_entry(out, &tl_per_path_builtin[i], "built in: test and benchmark directories");
    for (size_t i = 0; i < settings->nper_path; i++)
        put_entry(out, &settings->per_path[i], "config");
}

int tl_cli_show_config(const tl_cli_options *o, FILE *out) {
    const char *from = o->npaths ? o->paths[0] : ".";
    /* the project config */
    char *cfg = NULL;
    const char *cfg_from = NULL;
    if (o->opts.config_path) {
        cfg = tl_xstrdup(o->opts.config_path);
        cfg_from = "--config";
    } else if (!o->opts.no_config) {
        cfg = tl_config_find(from);
    }
    tl_model_set settings; /* what the config file sets */
    tl_models_init(&settings);
    if (cfg) {
        tl_model_error e;
        if (tl_models_load_config(&settings, cfg, &e) != 0) {
            fputs("tasklint: error: ", stderr);
            tl_term_puts(stderr, e.msg[0] ? e.msg : cfg);
            fputc('\n', stderr);
            tl_models_free(&settings);
            free(cfg);
            return 2;
        }
        char *why = cfg_from ? tl_xstrdup(cfg_from) : tl_xasprintf("found from %s", from);
        put_path(out, "config:", cfg, why);
        free(why);
    } else {
        fprintf(out, "%-9s none (%s)\n", "config:",
                o->opts.no_config ? "--no-config" : "no .tasklint.yaml found");
    }

    /* profile and rules: an option wins over the config file, which wins
       over the default (as in the driver) */
    if (o->opts.profile_set)
        fprintf(out, "%-9s %s (--profile)\n", "profile:",
                o->opts.profile == TL_PROFILE_STRICT ? "strict" : "default");
    else if (settings.has_profile)
        fprintf(out, "%-9s %s (config)\n", "profile:",
                settings.profile == TL_PROFILE_STRICT ? "strict" : "default");
    else
        fprintf(out, "%-9s default (built in)\n", "profile:");
    fputs("rules:\n", out);
    for (size_t i = 0; tl_rules[i] && i < sizeof o->opts.rule_state; i++) {
        const char *id = tl_rules[i]->id;
        bool on = true;
        const char *why = "default";
        if (listed(settings.disable, settings.ndisable, id)) on = false, why = "config";
        if (listed(settings.enable, settings.nenable, id)) on = true, why = "config";
        if (o->opts.rule_state[i] == 0) on = false, why = "--disable";
        else if (o->opts.rule_state[i] == 1) on = true, why = "--enable";
        fprintf(out, "  %-24s %-3s (%s)\n", id, on ? "on" : "off", why);
    }

    /* per-path globs: relative to the config's directory, else (the built-in
       entries) to the project root, as in the driver */
    char *base;
    if (cfg) {
        base = tl_xstrdup(cfg);
        char *slash = strrchr(base, '/');
        if (slash) *(slash == base ? slash + 1 : slash) = 0;
        else strcpy(base, ".");
    } else {
        char *abs = tl_cli_abspath(from, NULL);
        base = tl_cli_root_for(abs);
        free(abs);
    }
    show_per_path(out, &settings, base);
    free(base);

    /* models: the built-in libraries, then --models files and the config's */
    tl_model_set builtin;
    tl_models_init(&builtin);
    tl_model_error e;
    fputs("models:\n", out);
    if (tl_models_load_builtin(&builtin, &e) == 0)
        for (size_t i = 0; i < builtin.nlibraries; i++) {
            fputs("  ", out);
            tl_term_puts(out, builtin.libraries[i]);
            fputs(" (built in)\n", out);
        }
    tl_models_free(&builtin);
    for (size_t i = 0; i < o->nmodel_files; i++) {
        fputs("  ", out);
        tl_term_puts(out, o->model_files[i]);
        fputs(" (--models)\n", out);
    }
    for (size_t i = 0; i < settings.nlibraries; i++) {
        fputs("  ", out);
        tl_term_puts(out, settings.libraries[i]);
        fputs(" (config)\n", out);
    }
    tl_models_free(&settings);
    free(cfg);

    /* the store (tl_cli_parse folded TASKLINT_DB into db_path / no_db) */
    const char *env_db = getenv("TASKLINT_DB");
    bool from_env = env_db && *env_db;
    if (o->no_db) {
        fprintf(out, "%-9s none (%s)\n", "store:", from_env ? "TASKLINT_DB" : "--no-db");
    } else if (o->db_path) {
        put_path(out, "store:", o->db_path,
                 from_env && !strcmp(env_db, o->db_path) ? "TASKLINT_DB" : "--db");
    } else {
        char *abs = tl_cli_abspath(from, NULL);
        char *root = tl_cli_root_for(abs);
        char *path = tl_store_default_path(root);
        put_path(out, "store:", path, "default: the project root's");
        free(path);
        free(root);
        free(abs);
    }

    if (o->jobs > 0) {
        fprintf(out, "%-9s %d (-j)\n", "jobs:", o->jobs);
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        fprintf(out, "%-9s %ld (CPUs online)\n", "jobs:", n > 64 ? 64 : n > 0 ? n : 1);
    }
    return 0;
}
