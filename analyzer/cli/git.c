/* git.c - the little the CLI needs from git: HEAD's commit and branch for
 * the run record, the top level, and running git for worktrees
 * (--baseline-commit).  git runs as a child process without a shell, so
 * paths need no quoting. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/xalloc.h"

extern char **environ;

static void strip_nl(char *s) {
    if (!s) return;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

int tl_git(const char *dir, const char *const *argv, char **out, char **errout) {
    if (out) *out = NULL;
    if (errout) *errout = NULL;
    int po[2], pe[2];
    if (pipe(po) != 0) return -1;
    if (pipe(pe) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    size_t n = 0;
    while (argv[n]) n++;
    const char **av = tl_xcalloc(n + 4, sizeof *av);
    size_t k = 0;
    av[k++] = "git";
    if (dir) {
        av[k++] = "-C";
        av[k++] = dir;
    }
    for (size_t i = 0; i < n; i++) av[k++] = argv[i];
    av[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)av, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(av);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    char *buf[2] = {NULL, NULL};
    size_t len[2] = {0, 0}, cap[2] = {0, 0};
    struct pollfd pf[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (cap[i] - len[i] < 4096) {
                cap[i] = cap[i] ? cap[i] * 2 : 8192;
                buf[i] = tl_xrealloc(buf[i], cap[i]);
            }
            ssize_t r = read(pf[i].fd, buf[i] + len[i], cap[i] - len[i] - 1);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            len[i] += (size_t)r;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (pf[i].fd >= 0) close(pf[i].fd);
        if (!buf[i]) buf[i] = tl_xstrdup("");
        else buf[i][len[i]] = 0;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    strip_nl(buf[0]);
    strip_nl(buf[1]);
    if (out) *out = buf[0];
    else free(buf[0]);
    if (errout) *errout = buf[1];
    else free(buf[1]);
    if (WIFEXITED(status)) {
        /* 127: posix_spawnp's child could not exec git */
        return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
    }
    return 128;
}

/* ---- reading .git by hand (no git binary) ---- */

static char *slurp(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *s = NULL;
    size_t n = 0, cap = 0;
    int ch;
    while ((ch = fgetc(fp)) != EOF) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 256;
            s = tl_xrealloc(s, cap);
        }
        s[n++] = (char)ch;
    }
    fclose(fp);
    if (!s) return tl_xstrdup("");
    s[n] = 0;
    return s;
}

/* The .git directory for dir (walking up; a "gitdir: X" file followed). */
static char *find_git_dir(const char *dir) {
    char *d = realpath(dir, NULL);
    while (d) {
        char *g = tl_xasprintf("%s/.git", d);
        struct stat st;
        if (stat(g, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                free(d);
                return g;
            }
            char *txt = slurp(g);
            free(g);
            if (txt && !strncmp(txt, "gitdir: ", 8)) {
                strip_nl(txt);
                char *p = txt[8] == '/' ? tl_xstrdup(txt + 8) : tl_xasprintf("%s/%s", d, txt + 8);
                free(txt);
                free(d);
                return p;
            }
            free(txt);
            free(d);
            return NULL;
        }
        free(g);
        char *slash = strrchr(d, '/');
        if (!slash || slash == d) {
            free(d);
            return NULL;
        }
        *slash = 0;
    }
    return NULL;
}

static char *resolve_ref(const char *gitdir, const char *common, const char *ref) {
    const char *dirs[2] = {gitdir, common};
    for (int i = 0; i < 2; i++) {
        if (!dirs[i]) continue;
        char *p = tl_xasprintf("%s/%s", dirs[i], ref);
        char *v = slurp(p);
        free(p);
        if (v) {
            strip_nl(v);
            if (!strncmp(v, "ref: ", 5)) {
                char *r = resolve_ref(gitdir, common, v + 5);
                free(v);
                return r;
            }
            return v;
        }
        p = tl_xasprintf("%s/packed-refs", dirs[i]);
        char *packed = slurp(p);
        free(p);
        if (!packed) continue;
        char *save = NULL;
        for (char *line = strtok_r(packed, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *sp = strchr(line, ' ');
            if (line[0] == '#' || line[0] == '^' || !sp) continue;
            if (!strcmp(sp + 1, ref)) {
                *sp = 0;
                char *r = tl_xstrdup(line);
                free(packed);
                return r;
            }
        }
        free(packed);
    }
    return NULL;
}

static void head_by_hand(const char *dir, char **commit, char **branch) {
    char *gitdir = find_git_dir(dir);
    if (!gitdir) return;
    char *common = NULL;
    char *cp = tl_xasprintf("%s/commondir", gitdir);
    char *c = slurp(cp);
    free(cp);
    if (c) {
        strip_nl(c);
        common = c[0] == '/' ? tl_xstrdup(c) : tl_xasprintf("%s/%s", gitdir, c);
        free(c);
    }
    char *hp = tl_xasprintf("%s/HEAD", gitdir);
    char *head = slurp(hp);
    free(hp);
    if (head) {
        strip_nl(head);
        if (!strncmp(head, "ref: ", 5)) {
            const char *ref = head + 5;
            if (!strncmp(ref, "refs/heads/", 11)) *branch = tl_xstrdup(ref + 11);
            *commit = resolve_ref(gitdir, common, ref);
        } else if (*head) {
            *commit = tl_xstrdup(head);
        }
        free(head);
    }
    free(common);
    free(gitdir);
}

void tl_git_head(const char *dir, char **commit, char **branch) {
    *commit = NULL;
    *branch = NULL;
    char *out = NULL;
    int rc = tl_git(dir, (const char *const[]){"rev-parse", "--verify", "-q", "HEAD", NULL}, &out,
                    NULL);
    if (rc == -1) { /* no git binary: read the repository by hand */
        head_by_hand(dir, commit, branch);
        return;
    }
    if (rc == 0 && out && *out) *commit = out;
    else free(out);
    if (!*commit) return;
    rc = tl_git(dir, (const char *const[]){"symbolic-ref", "--short", "-q", "HEAD", NULL}, &out,
                NULL);
    if (rc == 0 && out && *out) *branch = out;
    else free(out);
}

char *tl_git_toplevel(const char *dir) {
    char *out = NULL;
    int rc = tl_git(dir, (const char *const[]){"rev-parse", "--show-toplevel", NULL}, &out, NULL);
    if (rc == 0 && out && *out) return out;
    free(out);
    return NULL;
}
