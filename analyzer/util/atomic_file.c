/* atomic_file.c - writing a file through a fresh temporary and a rename
 * (see atomic_file.h for the guarantees). */
#include "util/atomic_file.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define NAME_TRIES 100
#define SUFFIX_LEN 6

struct tl_atomic_file {
    char *target, *temp;
    FILE *fp;
    int slot; /* in the signal table, or -1 */
    bool no_sync; /* tl_atomic_file_write_unsynced: the caller syncs once */
};

/* ---- temporaries a signal handler may remove ---- */

#define SLOTS 4
static char slot_path[SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[SLOTS];

static int slot_take(const char *path) {
    size_t n = strlen(path);
    if (n >= PATH_MAX) return -1; /* open() would have refused it anyway */
    for (int i = 0; i < SLOTS; i++)
        if (!slot_used[i]) {
            memcpy(slot_path[i], path, n + 1);
            __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the path before the flag */
            slot_used[i] = 1;
            return i;
        }
    return -1;
}

/* Only if the slot still lists this file (tl_atomic_file_discard_all may
   have emptied it, and another file may have taken it since). */
static void slot_release(int i, const char *path) {
    if (i >= 0 && slot_used[i] && strcmp(slot_path[i], path) == 0) slot_used[i] = 0;
}

void tl_atomic_file_discard_all(void) {
    for (int i = 0; i < SLOTS; i++)
        if (slot_used[i]) {
            unlink(slot_path[i]);
            slot_used[i] = 0;
        }
}

/* ---- names ---- */

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return tl_xstrdup(".");
    if (slash == path) return tl_xstrdup("/");
    return tl_xstrndup(path, (size_t)(slash - path));
}

static void random_suffix(char out[SUFFIX_LEN + 1]) {
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static unsigned counter;
    unsigned char r[SUFFIX_LEN];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
                     (uint64_t)++counter * 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < sizeof r; i++, x >>= 8) r[i] = (unsigned char)x;
    }
    for (size_t i = 0; i < SUFFIX_LEN; i++) out[i] = chars[r[i] % (sizeof chars - 1)];
    out[SUFFIX_LEN] = '\0';
}

static void set_msg(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(char *err, size_t errsz, const char *fmt, ...) {
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/* ---- the file ---- */

/* Is target the null device or one of this process's own descriptors, as
 * the user spells them (`-o /dev/null`, /dev/stdout, /dev/fd/3 from a shell's
 * `>(cmd)`)?  Those are written in place: a rename over them would put a
 * regular file where the device was (for root, in /dev).  Nothing else is,
 * whatever it is: a device node, a FIFO or a symlink planted where the
 * output goes (in an untrusted checkout) is replaced, never written
 * through. */
static bool writes_in_place(const char *target) {
    static const char *const fd_dirs[] = {"/dev/fd/", "/proc/self/fd/", NULL};
    if (strcmp(target, "/dev/stdout") == 0 || strcmp(target, "/dev/stderr") == 0) return true;
    for (int i = 0; fd_dirs[i]; i++) {
        size_t n = strlen(fd_dirs[i]);
        if (strncmp(target, fd_dirs[i], n) == 0 && target[n] && strspn(target + n, "0123456789") == strlen(target + n))
            return true;
    }
    char *real = realpath(target, NULL);
    struct stat st;
    bool null_dev = real && strcmp(real, "/dev/null") == 0 && stat(real, &st) == 0 && S_ISCHR(st.st_mode);
    free(real);
    return null_dev;
}

static tl_atomic_file *open_in_place(const char *target, char *err, size_t errsz) {
    int fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        int e = errno;
        if (fd >= 0) close(fd);
        set_msg(err, errsz, "cannot write %s: %s", target, strerror(e));
        errno = e;
        return NULL;
    }
    tl_atomic_file *f = tl_xcalloc(1, sizeof *f);
    f->target = tl_xstrdup(target);
    f->fp = fp;
    f->slot = -1;
    return f;
}

tl_atomic_file *tl_atomic_file_open(const char *target, char *err, size_t errsz) {
    if (err && errsz) err[0] = '\0';
    struct stat st;
    if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
        set_msg(err, errsz, "cannot write %s: %s", target, strerror(EISDIR));
        errno = EISDIR;
        return NULL;
    }
    if (writes_in_place(target)) return open_in_place(target, err, errsz);
    char *dir = dir_of(target);
    int fd = -1, e = 0;
    char *temp = NULL;
    for (int tries = 0; tries < NAME_TRIES; tries++) {
        char suffix[SUFFIX_LEN + 1];
        random_suffix(suffix);
        free(temp);
        temp = tl_xasprintf("%s.tmp-%s", target, suffix);
        /* a new inode or nothing: O_EXCL never opens what is there, not even
           through a symlink; O_NOFOLLOW says so once more */
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) break;
    }
    e = errno;
    if (fd < 0) {
        set_msg(err, errsz, "cannot create a temporary file for %s in %s: %s", target, dir,
                strerror(e));
        free(temp);
        free(dir);
        errno = e;
        return NULL;
    }
    free(dir);
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        e = errno;
        close(fd);
        unlink(temp);
        set_msg(err, errsz, "cannot write %s: %s", target, strerror(e));
        free(temp);
        errno = e;
        return NULL;
    }
    tl_atomic_file *f = tl_xcalloc(1, sizeof *f);
    f->target = tl_xstrdup(target);
    f->temp = temp;
    f->fp = fp;
    f->slot = slot_take(temp);
    return f;
}

FILE *tl_atomic_file_stream(tl_atomic_file *f) { return f->fp; }

const char *tl_atomic_file_temp(const tl_atomic_file *f) { return f->temp; }

static void free_file(tl_atomic_file *f) {
    if (f->temp) slot_release(f->slot, f->temp);
    free(f->target);
    free(f->temp);
    free(f);
}

void tl_atomic_file_discard(tl_atomic_file *f) {
    if (!f) return;
    if (f->fp) fclose(f->fp);
    if (f->temp) unlink(f->temp);
    free_file(f);
}

/* The rename is durable once the directory is synced; a failure here
   changes nothing about the result. */
static void sync_dir(const char *target) {
    char *dir = dir_of(target);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int tl_atomic_file_commit(tl_atomic_file *f, char *err, size_t errsz) {
    if (err && errsz) err[0] = '\0';
    int e = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp)) e = errno ? errno : EIO;
    if (!e && !f->no_sync && f->temp && fsync(fileno(f->fp)) != 0) e = errno;
    if (fclose(f->fp) != 0 && !e) e = errno;
    f->fp = NULL;
    if (!f->temp) { /* written in place (a device, a FIFO): nothing to rename */
        if (e) set_msg(err, errsz, "cannot write %s: %s", f->target, strerror(e));
        free_file(f);
        errno = e;
        return e ? -1 : 0;
    }
    if (e) {
        unlink(f->temp);
        set_msg(err, errsz, "cannot write %s: %s", f->target, strerror(e));
        free_file(f);
        errno = e;
        return -1;
    }
    if (rename(f->temp, f->target) != 0) {
        e = errno;
        unlink(f->temp);
        set_msg(err, errsz, "cannot rename the temporary file to %s: %s", f->target, strerror(e));
        free_file(f);
        errno = e;
        return -1;
    }
    if (!f->no_sync) sync_dir(f->target);
    free_file(f);
    return 0;
}

static int write_whole(const char *target, const void *data, size_t len, bool sync, char *err,
                       size_t errsz) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int r = -1, e = 0;
    tl_atomic_file *f = tl_atomic_file_open(target, err, errsz);
    if (f) f->no_sync = !sync;
    if (!f) {
        e = errno;
    } else if (len && fwrite(data, 1, len, f->fp) != len) {
        e = errno ? errno : EIO;
        set_msg(err, errsz, "cannot write %s: %s", target, strerror(e));
        tl_atomic_file_discard(f);
    } else {
        r = tl_atomic_file_commit(f, err, errsz);
        e = errno;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return r;
}

int tl_atomic_file_write(const char *target, const void *data, size_t len, char *err,
                         size_t errsz) {
    return write_whole(target, data, len, true, err, errsz);
}

int tl_atomic_file_write_unsynced(const char *target, const void *data, size_t len, char *err,
                                  size_t errsz) {
    return write_whole(target, data, len, false, err, errsz);
}
