/* Whole-file reads and atomic replacement (see files.h). */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"

int read_file_whole(const char *path, size_t max, char **ret_data, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        size_t size = 0, allocated = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                if (size == allocated) {
                        /* one byte beyond max tells a full file from a too big one */
                        if (allocated > max)
                                return -EFBIG;
                        size_t want = allocated ? allocated * 2 : 4096;
                        if (want > max + 1)
                                want = max + 1;
                        char *p = realloc(data, want + 1);
                        if (!p)
                                return -ENOMEM;
                        data = p;
                        allocated = want;
                }
                ssize_t k = read(fd, data + size, allocated - size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                size += (size_t)k;
        }
        if (size > max)
                return -EFBIG;
        if (!data && !(data = malloc(1)))
                return -ENOMEM;
        data[size] = '\0';
        *ret_data = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

int write_all(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t k = write(fd, p, size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                size -= (size_t)k;
        }
        return 0;
}

/* A POSIX access ACL (the kernel's xattr format, <linux/posix_acl_xattr.h>)
 * giving group the mode's group bits, the file's own group nothing: a file
 * for a group its writer is no member of, and may not chown to (vmnetd, the
 * user vmnet, and teacher_groups).  The owner may set it with no
 * capability. */
static int grant_group(int fd, mode_t mode, gid_t group) {
        enum { USER_OBJ = 0x01, GROUP_OBJ = 0x04, GROUP = 0x08, MASK = 0x10, OTHER = 0x20 };
        const struct {
                uint16_t tag;
                unsigned perm;
                uint32_t id;
        } entries[] = {
                { USER_OBJ, (mode >> 6) & 7, UINT32_MAX }, { GROUP_OBJ, 0, UINT32_MAX },
                { GROUP, (mode >> 3) & 7, (uint32_t)group }, { MASK, (mode >> 3) & 7, UINT32_MAX },
                { OTHER, mode & 7, UINT32_MAX },
        };
        struct {
                uint32_t version;
                struct { uint16_t tag, perm; uint32_t id; } e[5];
        } acl = { .version = htole32(2) }; /* POSIX_ACL_XATTR_VERSION; the format is little endian */

        _Static_assert(sizeof acl == 4 + 5 * 8, "the kernel's ACL layout");
        for (size_t i = 0; i < 5; i++) {
                acl.e[i].tag = htole16(entries[i].tag);
                acl.e[i].perm = htole16((uint16_t)entries[i].perm);
                acl.e[i].id = htole32(entries[i].id);
        }
        return fsetxattr(fd, "system.posix_acl_access", &acl, sizeof acl, 0) < 0 ? -errno : 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_atomic_group(path, data, size, mode, (gid_t)-1);
}

/* Whether path is a regular file of the mode holding the size bytes at data. */
static bool file_holds(const char *path, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *old = NULL;
        struct stat st;
        size_t got;

        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode ||
            st.st_size != (off_t)size)
                return false;
        return read_file_whole(path, size, &old, &got) >= 0 && got == size && memcmp(old, data, size) == 0;
}

int write_file_atomic_if_changed(const char *path, const void *data, size_t size, mode_t mode) {
        if (file_holds(path, data, size, mode))
                return 0;
        int r = write_file_atomic(path, data, size, mode);
        return r < 0 ? r : 1;
}

int write_file_atomic_group(const char *path, const void *data, size_t size, mode_t mode, gid_t group) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        /* a dot file next to it: programs that watch the directory (dnsmasq's
         * hostsdir) pass over dot files, and read only the renamed one */
        const char *slash = strrchr(path, '/');
        int dir_len = slash ? (int)(slash - path + 1) : 0;
        if (asprintf(&tmp, "%.*s.%s.XXXXXX", dir_len, path, path + dir_len) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* the group before the mode, so that no one of the old group can
         * open it in between; mkostemp makes it 0600 whatever the umask */
        r = group != (gid_t)-1 && fchown(fd, (uid_t)-1, group) < 0 ? -errno : 0;
        if (r >= 0)
                r = fchmod(fd, mode) < 0 ? -errno : 0;
        else if (r == -EPERM)
                r = grant_group(fd, mode, group);
        if (r >= 0)
                r = write_all(fd, data, size);
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}
