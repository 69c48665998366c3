/* Reading small numbers from /sys/class/net/DEV/FILE. */
#pragma once

/* Parses the file as a decimal or 0x-hex integer.  Returns 0 or -errno
 * (-ENOENT when the device or file does not exist). */
int sysfs_read_int(const char *dev, const char *file, int *ret);
int sysfs_read_long(const char *dev, const char *file, long *ret);
/* The same for path below the directory dir_fd (AT_FDCWD: path as it is):
 * for many files of one directory, each path a walk of a few names. */
int sysfs_read_long_at(int dir_fd, const char *path, long *ret);
