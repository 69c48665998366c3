/* The part of `vmnet hint HYPERVISOR` about the caller's private segments:
 * how a VM of that hypervisor gets a second NIC on each (see hint.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "segment.h"
#include "vmnet.h"

static void qemu(const struct vmnet_segment_info *s, const char *mac) {
        printf("  qemu-system-x86_64 ... -nic bridge,br=%s,helper=%s,model=virtio-net-pci,mac=%s\n", s->name,
               VMNET_BRIDGE_HELPER_PATH, mac);
}

static void libvirt(const struct vmnet_segment_info *s, const char *mac) {
        (void)mac;
        printf("  <interface type='bridge'><source bridge='%s'/><model type='virtio'/></interface>\n", s->name);
}

static void virtualbox(const struct vmnet_segment_info *s, const char *mac) {
        (void)mac;
        printf("  VBoxManage modifyvm \"VM\" --nic2 bridged --bridgeadapter2 %s\n", s->link);
}

static void vmware(const struct vmnet_segment_info *s, const char *mac) {
        (void)mac;
        printf("  add_bridge_mapping %s 3   (a free VMware network, as for your tap)\n", s->link);
}

static void lxc(const struct vmnet_segment_info *s, const char *mac) {
        (void)mac;
        printf("  lxc.hook.start-host = %s --name eth1 --segment %s\n", VMNET_LXC_HOOK_PATH, s->name);
}

static const struct {
        const char *hypervisor;
        void (*line)(const struct vmnet_segment_info *s, const char *mac);
        const char *how; /* what the lines are */
} hints[] = {
        { "qemu", qemu, "a second NIC of a VM on it (its own MAC)" },
        { "libvirt", libvirt, "a second <interface> in the VM's XML" },
        { "virtualbox", virtualbox, "a second adapter bridged to its link" },
        { "vmware", vmware, "one more line of the admin's in /etc/vmware/networking (the link\n"
                            "exists while the segment does: vmnet segment add --keep)" },
        { "lxc", lxc, "a second interface of a container (one more hook line)" },
};

void hint_segments(const char *hypervisor, const char *mac_prefix) {
        static struct vmnet_reply list;
        size_t h = 0;

        while (h < sizeof hints / sizeof hints[0] && strcmp(hints[h].hypervisor, hypervisor) != 0)
                h++;
        if (h == sizeof hints / sizeof hints[0] || !cli_segments_quietly(&list) || list.max_segments == 0)
                return;
        if (list.n_segments == 0) {
                printf("\nA network of your own beside the lab (a router VM, your own DHCP server):\n"
                       "vmnet segment add NAME, then this hint again.\n");
                return;
        }
        printf("\nYour private segments, %s:\n", hints[h].how);
        for (unsigned i = 0; i < list.n_segments; i++) {
                char mac[18];
                /* past the lab's examples (01, 02): 10 and up, one a segment */
                snprintf(mac, sizeof mac, "%s%02x", mac_prefix, 0x10 + i);
                hints[h].line(&list.segments[i], mac);
        }
        printf("Nothing else is on a segment: no DHCP (run your own), no host, no way out\n"
               "but through a VM of yours that routes.\n");
}
