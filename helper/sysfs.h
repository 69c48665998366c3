/* Reading small numbers from /sys/class/net/DEV/FILE. */
#pragma once

/* Parses the file as a decimal or 0x-hex integer.  Returns 0 or -errno
 * (-ENOENT when the device or file does not exist). */
int sysfs_read_int(const char *dev, const char *file, int *ret);
int sysfs_read_long(const char *dev, const char *file, long *ret);
