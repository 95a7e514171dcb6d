/* location.c - where the store lives: the project root (the directory of
 * the nearest .tasklint.yaml, else the git top level, else the current
 * directory) and the default database path under it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/xalloc.h"

static bool exists_in(const char *dir, const char *name, bool regular) {
    char *p = tl_xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    struct stat st;
    bool ok = stat(p, &st) == 0 && (!regular || S_ISREG(st.st_mode));
    free(p);
    return ok;
}

/* Strips the last component; false at "/". */
static bool up(char *dir) {
    if (strcmp(dir, "/") == 0) return false;
    char *slash = strrchr(dir, '/');
    if (!slash) return false;
    if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return true;
}

char *tl_store_project_root(const char *first_path) {
    char *cwd = getcwd(NULL, 0);
    if (!cwd) cwd = tl_xstrdup("/");
    char *start = realpath(first_path && *first_path ? first_path : ".", NULL);
    if (!start) return cwd;
    struct stat st;
    if (stat(start, &st) == 0 && !S_ISDIR(st.st_mode) && !up(start)) {
        free(start);
        return cwd;
    }
    char *dir = tl_xstrdup(start);
    char *found = NULL;
    do {
        if (exists_in(dir, ".tasklint.yaml", true) || exists_in(dir, ".tasklint.yml", true))
            found = tl_xstrdup(dir);
    } while (!found && up(dir));
    if (!found) {
        strcpy(dir, start);
        do {
            if (exists_in(dir, ".git", false)) found = tl_xstrdup(dir);
        } while (!found && up(dir));
    }
    free(dir);
    free(start);
    if (found) {
        free(cwd);
        return found;
    }
    return cwd;
}

char *tl_store_default_path(const char *root) {
    size_t n = strlen(root);
    return tl_xasprintf("%s%s.tasklint/findings.db", root, n && root[n - 1] == '/' ? "" : "/");
}
