/* Whole files: read one at once, replace one atomically. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Reads the file at path whole into *ret_data (malloc'ed, with a NUL byte
 * after the data that *ret_size does not count).  Returns 0, -EFBIG when it
 * holds more than max bytes, or -errno (-ENOENT: no such file).  Outputs
 * are written only on success. */
int read_file_whole(const char *path, size_t max, char **ret_data, size_t *ret_size);

/* Writes size bytes at data to fd, again after EINTR and short writes.
 * Returns 0 or -errno. */
int write_all(int fd, const void *data, size_t size);

/* Replaces path with data: written to a new file in the same directory
 * (".NAME.XXXXXX", hidden from whatever watches it), given mode, then
 * renamed over path, so a reader sees the old content or
 * the new, never half of one.  No fsync: vmnet writes such files in run_dir,
 * a tmpfs, and writes them anew after a crash.  Returns 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);
/* write_file_atomic() unless path is a regular file of that mode holding
 * data already: then it is left alone (its inode and times stay, and what
 * watches it sees nothing, as dnsmasq rereads a hostsdir file on every
 * replace).  Returns 1 when written, 0 when it was so already, or -errno. */
int write_file_atomic_if_changed(const char *path, const void *data, size_t size, mode_t mode);
/* The same, the new file given to group first ((gid_t)-1: the writer's):
 * its group where the writer may chown it to that group, else through a
 * POSIX ACL naming the group (the mode's group bits; the file's own group
 * gets none). */
int write_file_atomic_group(const char *path, const void *data, size_t size, mode_t mode, gid_t group);
