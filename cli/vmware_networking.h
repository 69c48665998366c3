/* VMware Workstation's /etc/vmware/networking, as far as vmnet's hint needs
 * it: which VMware network (VMnetN) is bridged to a given host interface. */
#pragma once
#include <stddef.h>

#define VMWARE_NETWORKING_PATH "/etc/vmware/networking"

/* From the text of that file (size bytes, not NUL-terminated): N of the
 * first line "add_bridge_mapping IFACE N" for iface, or -ENOENT.  Pure. */
int vmware_bridged_vnet(const char *text, size_t size, const char *iface);

/* The same from the file at path: N, -ENOENT when no line names iface, or
 * another -errno when the file cannot be read (-ENOENT: no such file). */
int vmware_bridged_vnet_file(const char *path, const char *iface);
