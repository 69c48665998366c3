/* vmnet hint HYPERVISOR: the exact settings that put this user's VMs on
 * the lab network, with the names vmnetd reports filled in. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dns_name.h"
#include "offline_status.h"
#include "vmnet.h"
#include "vmware_networking.h"


/* The user's first subordinate id range in file (/etc/subuid or
 * /etc/subgid), as "START COUNT", matched by name or by uid. */
static int read_subid(const char *file, const char *user, char *ret, size_t size) {
        char uid[16], *line = NULL;
        size_t cap = 0;
        int r = -ENOENT;
        FILE *f;

        f = fopen(file, "re");
        if (!f)
                return -errno;
        snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
        while (r < 0 && getline(&line, &cap, f) > 0) {
                char *save = NULL;
                const char *who = strtok_r(line, ":\n", &save);
                const char *start = strtok_r(NULL, ":\n", &save);
                const char *count = strtok_r(NULL, ":\n", &save);
                if (!who || !start || !count)
                        continue;
                if (strcmp(who, user) != 0 && strcmp(who, uid) != 0)
                        continue;
                if (strspn(start, "0123456789") != strlen(start) ||
                    strspn(count, "0123456789") != strlen(count))
                        continue;
                if ((size_t)snprintf(ret, size, "%s %s", start, count) < size)
                        r = 0;
        }
        free(line);
        fclose(f);
        return r;
}

/* The first tap made by "vmnet tap add", which a hypervisor opens by name. */
static const struct vmnet_tap_info *persistent_tap(const struct vmnet_reply *st) {
        for (unsigned i = 0; i < st->n_taps; i++)
                if (st->taps[i].kind == VMNET_TAP_PERSISTENT)
                        return &st->taps[i];
        return NULL;
}

/* VirtualBox and VMware bridge to a device without opening it, and send
 * what the VM sends "to the wire" by transmitting on that device: the
 * login tap (a veth whose other end is on the bridge) carries it into the
 * lab.  A tap would hand those frames to whoever holds it, not the bridge. */
static const struct vmnet_tap_info *need_login_tap(const struct vmnet_reply *st, const char *who) {
        const struct vmnet_tap_info *t = cli_login_tap(st);
        if (!t)
                fprintf(stderr, "vmnet: you have no login tap, which %s needs: vmnetd "
                        "makes it when you log in, if pam_vmnet is enabled and your account "
                        "is admitted to the lab, and has no session of yours now\n", who);
        return t;
}

static int hint_virtualbox(const struct vmnet_reply *st) {
        const struct vmnet_tap_info *t = need_login_tap(st, "VirtualBox");
        char label[DNS_USER_LABEL_MAX + 1];
        if (!t)
                return EXIT_ERROR;
        dns_user_label(st->user, label);
        printf("VirtualBox: bridge the VM's network adapter to your tap %s.\n"
               "\n"
               "  VBoxManage modifyvm \"VM\" --nic1 bridged --bridgeadapter1 %s\n"
               "      (VM powered off; \"VM\" is its name in VBoxManage list vms)\n"
               "  VBoxManage controlvm \"VM\" nic1 bridged %s\n"
               "      (VM running)\n"
               "\n"
               "GUI: select the VM > Settings > Network > Adapter 1 > Attached to:\n"
               "     Bridged Adapter > Name: %s > OK.\n"
               "\n"
               "All your VMs may use %s at once.  They get addresses from the lab's\n"
               "DHCP on %s (%s); each resolves as NAME.%s%s%s ('vmnet status' lists them).\n",
               t->name, t->name, t->name, t->name, t->name, st->bridge, st->address,
               label, st->domain[0] ? "." : "", st->domain);
        return EXIT_OK;
}

/* VMware for a whole room: the admin binds VMware's bridged network to the
 * lab bridge itself, once per PC.  VMware's bridge driver hooks the device
 * it is bound to: what a guest sends goes out on the bridge (to the lab's
 * ports) and, for the host, up as if the bridge had received it.  Such VMs
 * are on no student's port, so they carry no owner (see docs/vmware.md). */
static int hint_vmware(const struct vmnet_reply *st) {
        const char *path = secure_getenv("VMNET_VMWARE_NETWORKING");
        int vnet = vmware_bridged_vnet_file(path ? path : VMWARE_NETWORKING_PATH, st->bridge);

        if (vnet < 0) {
                printf("VMware Workstation: on this PC no VMware network is bridged to the lab\n"
                       "bridge %s yet (%s names none).  The admin does it once, for\n"
                       "every student:\n"
                       "\n"
                       "  GUI, as root: vmware-netcfg > VMnet0 > Bridged, Bridged to: %s\n"
                       "       (not Automatic) > Apply\n"
                       "  or:  the line \"add_bridge_mapping %s 0\" in %s,\n"
                       "       then: vmware-networks --stop; vmware-networks --start\n"
                       "\n"
                       "Then, in each VM:\n",
                       st->bridge, path ? path : VMWARE_NETWORKING_PATH, st->bridge, st->bridge,
                       VMWARE_NETWORKING_PATH);
                vnet = 0;
        } else {
                printf("VMware Workstation: on this PC VMware's network VMnet%d is bridged to the\n"
                       "lab bridge %s.  In each VM:\n", vnet, st->bridge);
        }
        if (vnet == 0)
                printf("  VM > Settings > Network Adapter > Bridged > OK (VM powered off);\n"
                       "  or in its .vmx file:\n"
                       "    ethernet0.connectionType = \"bridged\"\n");
        else
                printf("  VM > Settings > Network Adapter > Custom: Specific virtual network >\n"
                       "  VMnet%d > OK (VM powered off);  or in its .vmx file:\n"
                       "    ethernet0.connectionType = \"custom\"\n"
                       "    ethernet0.vnet = \"/dev/vmnet%d\"\n", vnet, vnet);
        printf("\n"
               "VMs get addresses from the lab's DHCP on %s (%s).  They are on the\n"
               "bridge itself, not on your login tap, so vmnet knows no owner for them:\n"
               "'vmnet status' does not list them, and each resolves as NAME and\n"
               "NAME%s%s, without your user name: give each VM a name nobody else in the\n"
               "lab uses (e.g. %s-vm1).\n",
               st->bridge, st->address, st->domain[0] ? "." : "", st->domain, st->user);
        return EXIT_OK;
}

/* QEMU gives every VM 52:54:00:12:34:56 unless told otherwise, and
 * libvirt picks 52:54:00:xx:xx:xx; on a shared segment each VM needs its
 * own.  Ours: locally administered 52:55, the uid, then the VM: the
 * prefix, 15 characters. */
static void user_mac_prefix(char ret[16]) {
        uint32_t u = (uint32_t)getuid() & 0xffffff;
        snprintf(ret, 16, "52:55:%02x:%02x:%02x:", u >> 16, (u >> 8) & 0xff, u & 0xff);
}

static int hint_qemu(const struct vmnet_reply *st) {
        const struct vmnet_tap_info *t = persistent_tap(st), *login = cli_login_tap(st);
        char mac[16];

        /* :01 for the helper's VM, :02 for the kept tap's, so that running
         * both examples gives two MACs */
        user_mac_prefix(mac);
        printf("QEMU, a fresh tap for each VM (nothing to set up; the tap goes when QEMU exits):\n"
               "\n"
               "  qemu-system-x86_64 ... -nic bridge,br=%s,helper=%s,model=virtio-net-pci,mac=%s01\n"
               "\n"
               "(-netdev bridge,id=n0,br=%s,helper=%s with -device virtio-net-pci,netdev=n0\n"
               "is the same in the long form.)\n"
               "\n"
               "Give every VM its own MAC address: yours are %sXX for any XX (01 above,\n"
               "02 for a tap you keep, below).\n"
               "\n",
               st->bridge, VMNET_BRIDGE_HELPER_PATH, mac, st->bridge, VMNET_BRIDGE_HELPER_PATH, mac);
        if (t)
                printf("A tap you keep, opened by name (needs /dev/net/tun readable and writable\n"
                       "by you, as it is on desktops):\n"
                       "\n"
                       "  qemu-system-x86_64 ... -nic tap,ifname=%s,script=no,downscript=no,model=virtio-net-pci,mac=%s02\n",
                       t->name, mac);
        else
                printf("A tap you keep, opened by name: run 'vmnet tap add' first (it prints the\n"
                       "tap's name), then 'vmnet hint qemu' again for the exact line:\n"
                       "\n"
                       "  qemu-system-x86_64 ... -nic tap,ifname=TAP,script=no,downscript=no,model=virtio-net-pci,mac=%s02\n",
                       mac);
        if (login)
                printf("\n(Not %s, your login tap: it is for VirtualBox and VMware and is no tap\n"
                       "QEMU can open.)\n", login->name);
        printf("\nVMs get addresses from the lab's DHCP on %s (%s).\n", st->bridge, st->address);
        return EXIT_OK;
}

static int hint_libvirt(const struct vmnet_reply *st) {
        const struct vmnet_tap_info *t = persistent_tap(st);

        printf("libvirt, session mode (qemu:///session, as yourself):\n"
               "\n"
               "Once: tell libvirt which bridge helper to run.\n"
               "  mkdir -p ~/.config/libvirt\n"
               "  echo 'bridge_helper = \"%s\"' >> ~/.config/libvirt/qemu.conf\n"
               "The session daemon reads that file when it starts; if one is running\n"
               "(ps -u %s | grep -E 'virtqemud|libvirtd'), shut your VMs down and stop it.\n"
               "\n"
               "Then in each VM's XML (virsh -c qemu:///session edit VM):\n"
               "  <interface type='bridge'>\n"
               "    <source bridge='%s'/>\n"
               "    <model type='virtio'/>\n"
               "  </interface>\n"
               "virt-install: --connect qemu:///session --network bridge=%s,model=virtio\n"
               "virt-manager: in the \"QEMU/KVM User session\" connection, NIC > Network\n"
               "source: Bridge device > Device name: %s.\n",
               VMNET_BRIDGE_HELPER_PATH, st->user, st->bridge, st->bridge, st->bridge);
        if (t)
                printf("\nOr with a tap you keep (%s, from 'vmnet tap add'):\n"
                       "  <interface type='ethernet'>\n"
                       "    <target dev='%s' managed='no'/>\n"
                       "    <model type='virtio'/>\n"
                       "  </interface>\n",
                       t->name, t->name);
        printf("\nVMs get addresses from the lab's DHCP on %s (%s).\n", st->bridge, st->address);
        return EXIT_OK;
}

static int hint_lxc(const struct vmnet_reply *st) {
        char subuid[64], subgid[64];
        bool missing = false;

        if (read_subid("/etc/subuid", st->user, subuid, sizeof subuid) < 0) {
                snprintf(subuid, sizeof subuid, "SUBUID_START 65536");
                missing = true;
        }
        if (read_subid("/etc/subgid", st->user, subgid, sizeof subgid) < 0) {
                snprintf(subgid, sizeof subgid, "SUBGID_START 65536");
                missing = true;
        }
        printf("LXC, unprivileged containers: vmnetd gives each its own link on %s\n"
               "(eth0 in the container), with nothing for the admin to set up.\n"
               "\n"
               "Your ~/.config/lxc/default.conf:\n"
               "  lxc.idmap = u 0 %s\n"
               "  lxc.idmap = g 0 %s\n"
               "  lxc.net.0.type = empty\n"
               "  lxc.hook.start-host = %s\n"
               "%s"
               "\n"
               "Then: lxc-create -n c1 -t download -- -d debian -r bookworm -a amd64\n"
               "      systemd-run --user --scope -p Delegate=yes -- lxc-start -n c1\n"
               "(the scope gives lxc-start a cgroup of yours).  Containers get addresses\n"
               "from the lab's DHCP on %s (%s); each counts against your\n"
               "max_taps (%u), and 'vmnet status' lists them.  Any other network\n"
               "namespace of yours (unshare -rn) joins with: vmnet netns attach PID\n",
               st->bridge, subuid, subgid, VMNET_LXC_HOOK_PATH,
               missing ? "(You have no subordinate ids in /etc/subuid or /etc/subgid yet: the\n"
                         "admin adds them, e.g. usermod --add-subuids and --add-subgids.)\n" : "",
               st->bridge, st->address, st->max_taps);
        return EXIT_OK;
}

static int hint_wireshark(const struct vmnet_reply *st) {
        const struct vmnet_tap_info *login = cli_login_tap(st);
        const char *example = login ? login->name : st->n_taps ? st->taps[0].name : "TAP";

        printf("Watch your own VMs' traffic, without root: vmnet capture writes a pcap\n"
               "stream of the frames crossing one of your links or taps.\n"
               "\n"
               "  vmnet capture %s | wireshark -k -i -\n"
               "  vmnet capture %s icmp | tcpdump -n -r -\n"
               "  vmnet capture %s -w lab.pcap 'tcp port 80'     (Ctrl-C stops)\n"
               "  vmnet capture vm1 -c 100 -w vm1.pcap            (a VM by its name)\n"
               "\n",
               example, example, example);
        if (st->n_taps) {
                printf("Your links and taps now:");
                for (unsigned i = 0; i < st->n_taps; i++)
                        printf(" %s (%s)", st->taps[i].name, vmnet_tap_kind_string(st->taps[i].kind));
                printf("\n");
        } else {
                printf("You have no link or tap now: log in (your login link), or start a QEMU VM\n"
                       "('vmnet hint qemu').\n");
        }
        printf("\n"
               "The filter after the name is tcpdump's (pcap-filter(7)).  You see what crosses\n"
               "your own ports only, never another student's; teachers may capture any port,\n"
               "and vmnetd logs who watched whom.  The guide: capture.md in /usr/share/doc/vmnet/.\n");
        return EXIT_OK;
}

static const struct {
        const char *name;
        int (*print)(const struct vmnet_reply *st);
} hints[] = {
        { "virtualbox", hint_virtualbox },
        { "vmware",     hint_vmware },
        { "qemu",       hint_qemu },
        { "libvirt",    hint_libvirt },
        { "lxc",        hint_lxc },
        { "wireshark",  hint_wireshark },
};

int cmd_hint(int argc, char **argv) {
        struct vmnet_reply st;
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: vmnet hint virtualbox|vmware|qemu|libvirt|lxc|wireshark\n");
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
                if (strcmp(argv[1], hints[i].name) != 0)
                        continue;
                r = cli_status(&st);
                if (r == EXIT_UNREACHABLE && offline_status(VMNET_DEFAULT_CONFIG, &st) == 0)
                        /* the settings do not depend on vmnetd running: give them */
                        printf("(vmnetd does not answer now, so this is from %s: your login tap\n"
                               "%s exists once vmnetd runs and you log in, and VMs get addresses only while\n"
                               "it runs.)\n\n",
                               VMNET_DEFAULT_CONFIG, st.taps[0].name);
                else if (r != EXIT_OK)
                        return r;
                r = hints[i].print(&st);
                if (r == EXIT_OK) {
                        char mac[16];
                        user_mac_prefix(mac);
                        hint_segments(argv[1], mac);
                }
                if (fflush(stdout) != 0)
                        return EXIT_ERROR;
                return r;
        }
        fprintf(stderr, "vmnet: no hint for '%s'; there are: virtualbox vmware qemu libvirt lxc wireshark\n",
                argv[1]);
        return EXIT_USAGE;
}
