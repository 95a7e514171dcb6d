/* unit_atomic_file.c - writing a file through a fresh temporary: the result
 * is complete or absent, planted names are not followed, errors leave no
 * temporary and the target as it was, the mode is 0666 & ~umask. */
#include "store_test_util.h"

#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/atomic_file.h"

static int setup(void **state) {
    *state = tu_mkdtemp();
    return *state ? 0 : -1;
}

static int teardown(void **state) {
    tu_rmrf(*state);
    free(*state);
    return 0;
}

static void assert_file_is(const char *path, const char *text) {
    size_t n;
    char *got = tu_slurp(path, &n);
    assert_non_null(got);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(got, text, n);
    free(got);
}

/* How many entries `dir` holds besides `name`. */
static int others_in(const char *dir, const char *name) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, name)) n++;
    closedir(d);
    return n;
}

static void test_write_replaces_whole(void **state) {
    const char *dir = *state;
    char *target = tl_xasprintf("%s/out.txt", dir);
    tu_write(target, "old contents, longer than the new ones\n");
    char err[512];
    mode_t old = umask(027);
    assert_int_equal(tl_atomic_file_write(target, "new\n", 4, err, sizeof err), 0);
    umask(old);
    assert_file_is(target, "new\n");
    struct stat st;
    assert_int_equal(lstat(target, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(others_in(dir, "out.txt"), 0);
    free(target);
}

/* The unsynced variant (report --html): the same replacement of the whole
   file and of a symlink at the target, no temporary left. */
static void test_write_unsynced(void **state) {
    const char *dir = *state;
    char *target = tl_xasprintf("%s/page.html", dir);
    char *victim = tl_xasprintf("%s/victim", dir);
    tu_write(victim, "precious\n");
    assert_int_equal(symlink(victim, target), 0);
    char err[512];
    assert_int_equal(tl_atomic_file_write_unsynced(target, "<p>\n", 4, err, sizeof err), 0);
    assert_file_is(target, "<p>\n");
    assert_file_is(victim, "precious\n");
    struct stat st;
    assert_int_equal(lstat(target, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(others_in(dir, "page.html"), 1); /* the victim */
    free(target);
    free(victim);
}

static void test_stream_then_commit(void **state) {
    const char *dir = *state;
    char *target = tl_xasprintf("%s/report.sarif", dir);
    char err[512];
    tl_atomic_file *f = tl_atomic_file_open(target, err, sizeof err);
    assert_non_null(f);
    /* the temporary lives next to the target, under a name of its own */
    const char *tmp = tl_atomic_file_temp(f);
    assert_true(strncmp(tmp, target, strlen(target)) == 0);
    assert_true(strncmp(tmp + strlen(target), ".tmp-", 5) == 0);
    fputs("{\"part\": 1", tl_atomic_file_stream(f));
    assert_int_equal(access(target, F_OK), -1); /* nothing at the target yet */
    fputs("}\n", tl_atomic_file_stream(f));
    assert_int_equal(tl_atomic_file_commit(f, err, sizeof err), 0);
    assert_file_is(target, "{\"part\": 1}\n");
    assert_int_equal(others_in(dir, "report.sarif"), 0);
    free(target);
}

/* A symlink at the target is replaced, not written through; symlinks at
   other names next to it are not touched. */
static void test_symlinks_not_followed(void **state) {
    const char *dir = *state;
    char *victim = tl_xasprintf("%s/victim", dir);
    char *target = tl_xasprintf("%s/out.txt", dir);
    char *planted = tl_xasprintf("%s/out.txt.tmp", dir);
    tu_write(victim, "precious\n");
    assert_int_equal(symlink(victim, target), 0);
    assert_int_equal(symlink(victim, planted), 0);
    char err[512];
    assert_int_equal(tl_atomic_file_write(target, "report\n", 7, err, sizeof err), 0);
    assert_file_is(victim, "precious\n");
    struct stat st;
    assert_int_equal(lstat(target, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_file_is(target, "report\n");
    assert_int_equal(lstat(planted, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    free(victim);
    free(target);
    free(planted);
}

/* The rename fails after the data was written (a directory appeared at the
   target): -1, a message, no temporary left, the directory untouched. */
static void test_failed_commit_leaves_nothing(void **state) {
    const char *dir = *state;
    char *target = tl_xasprintf("%s/out.txt", dir);
    char err[512];
    tl_atomic_file *f = tl_atomic_file_open(target, err, sizeof err);
    assert_non_null(f);
    fputs("data\n", tl_atomic_file_stream(f));
    assert_int_equal(mkdir(target, 0755), 0);
    char *inside = tl_xasprintf("%s/keep", target);
    tu_write(inside, "x");
    assert_int_equal(tl_atomic_file_commit(f, err, sizeof err), -1);
    assert_non_null(strstr(err, "out.txt"));
    assert_int_equal(others_in(dir, "out.txt"), 0);
    assert_file_is(inside, "x");
    free(inside);
    free(target);
}

static void test_open_errors(void **state) {
    const char *dir = *state;
    char err[512];
    char *target = tl_xasprintf("%s/no/such/dir/out.txt", dir);
    assert_null(tl_atomic_file_open(target, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "cannot create a temporary file"));
    assert_non_null(strstr(err, "No such file or directory"));
    free(target);
    /* a directory as the target is refused before anything is written */
    assert_null(tl_atomic_file_open(dir, err, sizeof err));
    assert_int_equal(errno, EISDIR);
    assert_int_equal(tl_atomic_file_write(dir, "x", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "Is a directory"));
}

static void test_discard(void **state) {
    const char *dir = *state;
    char *target = tl_xasprintf("%s/out.txt", dir);
    tu_write(target, "old\n");
    char err[512];
    tl_atomic_file *f = tl_atomic_file_open(target, err, sizeof err);
    assert_non_null(f);
    fputs("half a rep", tl_atomic_file_stream(f));
    tl_atomic_file_discard(f);
    assert_file_is(target, "old\n");
    assert_int_equal(others_in(dir, "out.txt"), 0);
    /* what a signal handler does: every open temporary goes */
    tl_atomic_file *a = tl_atomic_file_open(target, err, sizeof err);
    char *other = tl_xasprintf("%s/other.txt", dir);
    tl_atomic_file *b = tl_atomic_file_open(other, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(others_in(dir, "out.txt"), 2);
    tl_atomic_file_discard_all();
    assert_int_equal(others_in(dir, "out.txt"), 0);
    tl_atomic_file_discard(a);
    tl_atomic_file_discard(b);
    assert_file_is(target, "old\n");
    free(other);
    free(target);
}

/* The null device and the process's own descriptors are written in place:
 * /dev/null stays the device after a commit and a discard (`-o /dev/null`
 * once replaced it with a regular file when run as root), and /dev/fd/N
 * (a shell's `>(cmd)`) reaches the pipe behind it.  A FIFO planted at an
 * ordinary target is replaced, never opened (opening it would block, and a
 * planted device node would be written through). */
static void test_devices_written_in_place(void **state) {
    const char *dir = *state;
    char err[512];
    int p[2];
    assert_int_equal(pipe(p), 0);
    char *via_fd = tl_xasprintf("/dev/fd/%d", p[1]);
    assert_int_equal(tl_atomic_file_write(via_fd, "hello", 5, err, sizeof err), 0);
    close(p[1]);
    char buf[16] = {0};
    assert_int_equal(read(p[0], buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    close(p[0]);
    free(via_fd);
    char *fifo = tl_xasprintf("%s/out.fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(tl_atomic_file_write(fifo, "report", 6, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_file_is(fifo, "report");
    assert_int_equal(others_in(dir, "out.fifo"), 0);
    free(fifo);
    if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)) {
        tl_atomic_file *f = tl_atomic_file_open("/dev/null", err, sizeof err);
        assert_non_null(f);
        fputs("findings", tl_atomic_file_stream(f));
        assert_int_equal(tl_atomic_file_commit(f, err, sizeof err), 0);
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        f = tl_atomic_file_open("/dev/null", err, sizeof err);
        assert_non_null(f);
        tl_atomic_file_discard(f);
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_replaces_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_then_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_unsynced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_devices_written_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
