/* common/files.c: a whole file comes back NUL-terminated and exactly as
 * long as it is, a too big one is refused, and an atomic write leaves the
 * new content with the asked mode and no temporary file behind, and a
 * write of what the file holds already leaves it alone. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "files.h"

static char dir[64];

static int make_dir(void **state) {
        (void)state;
        strcpy(dir, "/tmp/vmnet-test-files.XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
        char cmd[128];
        (void)state;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void path_of(const char *name, char ret[128]) {
        snprintf(ret, 128, "%s/%s", dir, name);
}

static size_t entries_in_dir(void) {
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;
        assert_non_null(d);
        while ((e = readdir(d)))
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

static void test_round_trip(void **state) {
        char path[128], *data = NULL;
        size_t size = 0;
        struct stat st;
        (void)state;

        path_of("a", path);
        assert_int_equal(write_file_atomic(path, "one\ntwo\n", 8, 0644), 0);
        assert_int_equal(read_file_whole(path, 100, &data, &size), 0);
        assert_int_equal(size, 8);
        assert_string_equal(data, "one\ntwo\n");
        free(data);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);

        /* replaced, not appended; mode as asked; no temporary left */
        assert_int_equal(write_file_atomic(path, "x", 1, 0600), 0);
        assert_int_equal(read_file_whole(path, 100, &data, &size), 0);
        assert_int_equal(size, 1);
        assert_string_equal(data, "x");
        free(data);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(entries_in_dir(), 1);

        /* given to a group (one of ours: no privilege needed), then the mode */
        assert_int_equal(write_file_atomic_group(path, "g", 1, 0640, getegid()), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_gid, getegid());
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(entries_in_dir(), 1);
}

static void test_empty_and_missing(void **state) {
        char path[128], *data = (char *)"untouched";
        size_t size = 7;
        (void)state;

        path_of("missing", path);
        assert_int_equal(read_file_whole(path, 100, &data, &size), -ENOENT);
        assert_string_equal(data, "untouched");
        assert_int_equal(size, 7);
        path_of("empty", path);
        assert_int_equal(write_file_atomic(path, "", 0, 0644), 0);
        assert_int_equal(read_file_whole(path, 100, &data, &size), 0);
        assert_int_equal(size, 0);
        assert_string_equal(data, "");
        free(data);
}

static void test_size_limit(void **state) {
        char path[128], *data = NULL, big[10000];
        size_t size = 0;
        (void)state;

        memset(big, 'b', sizeof big);
        path_of("big", path);
        assert_int_equal(write_file_atomic(path, big, sizeof big, 0644), 0);
        /* exactly max is fine, one byte less than the file is not */
        assert_int_equal(read_file_whole(path, sizeof big, &data, &size), 0);
        assert_int_equal(size, sizeof big);
        assert_memory_equal(data, big, sizeof big);
        free(data);
        data = NULL;
        assert_int_equal(read_file_whole(path, sizeof big - 1, &data, &size), -EFBIG);
        assert_null(data);
}

static ino_t inode_of(const char *path) {
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        return st.st_ino;
}

static void test_write_if_changed(void **state) {
        char path[128];
        (void)state;
        path_of("hosts", path);
        assert_int_equal(write_file_atomic_if_changed(path, "a b\n", 4, 0644), 1); /* missing */
        ino_t first = inode_of(path);
        assert_int_equal(write_file_atomic_if_changed(path, "a b\n", 4, 0644), 0);
        assert_true(inode_of(path) == first);
        /* another text of the same length, a longer one, another mode */
        assert_int_equal(write_file_atomic_if_changed(path, "a c\n", 4, 0644), 1);
        assert_true(inode_of(path) != first);
        assert_int_equal(write_file_atomic_if_changed(path, "a c\nd\n", 6, 0644), 1);
        assert_int_equal(write_file_atomic_if_changed(path, "a c\nd\n", 6, 0600), 1);
        assert_int_equal(write_file_atomic_if_changed(path, "a c\nd\n", 6, 0600), 0);
        /* a symbolic link there is replaced, not read through */
        char target[128];
        path_of("target", target);
        assert_int_equal(write_file_atomic(target, "x", 1, 0644), 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink(target, path), 0);
        assert_int_equal(write_file_atomic_if_changed(path, "x", 1, 0644), 1);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(unlink(path), 0);
        assert_int_equal(unlink(target), 0);
}

static void test_write_into_missing_dir(void **state) {
        char path[128];
        (void)state;
        path_of("no/such/dir", path);
        assert_int_equal(write_file_atomic(path, "x", 1, 0644), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_empty_and_missing),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_write_into_missing_dir),
                cmocka_unit_test(test_write_if_changed),
        };
        return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
