/* vmnet-names: the lab's dnsmasq runs it (dhcp-script) for every lease that
 * comes, changes or goes, and it publishes the lab's names: the hosts
 * snapshot for libnss_vmnet and the records dnsmasq serves the VMs
 * (names_table.h says the rules).  What a guest chose (its host name) is
 * read here only, with no capability: dnsmasq's two are shed first
 * (capabilities.h).  vmnetd tells whose VM a MAC is (OWNER), from its own
 * records; this program never reads the kernel's tables itself.  It also
 * keeps the lab's lease file, which dnsmasq (leasefile-ro) leaves to it
 * (lease_file.h).
 *
 *   vmnet-names add|old|del MAC IP [NAME]      (as dnsmasq calls it)
 *   vmnet-names init                           (dnsmasq's start: the leases)
 * The lab comes from the environment vmnetd gives dnsmasq: VMNET_RUN_DIR,
 * VMNET_SOCKET, VMNET_DOMAIN.  Exit 0, also for events it ignores (DHCPv6,
 * TFTP); 1 on an error, said on stderr (dnsmasq logs it). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capabilities.h"
#include "dns_name.h"
#include "lease_event.h"
#include "lease_store.h"
#include "names_publish.h"

static const char *get_env(const char *name) {
        return getenv(name);
}

/* The names no VM may have: the host's own (its first label) among them. */
static struct names_reserved reserved_names(char host[DNS_LABEL_MAX + 1]) {
        static const char *names[] = { "localhost", "wpad", "isatap", "ip6-localhost", NULL };
        char buf[256] = "";
        size_t n = 4;

        if (gethostname(buf, sizeof buf - 1) == 0) {
                size_t len = strcspn(buf, ".");
                if (len > 0 && len <= DNS_LABEL_MAX && dns_label_lowercase(host, buf, len)) {
                        host[len] = '\0';
                        names[n++] = host;
                }
        }
        return (struct names_reserved) { .names = names, .n = n };
}

int main(int argc, char **argv) {
        char host[DNS_LABEL_MAX + 1];
        struct lease_event ev;
        int r;

        r = capabilities_shed(argv);
        if (r < 0) {
                fprintf(stderr, "vmnet-names: refusing to read guests' names with capabilities: %s\n", strerror(-r));
                return 1;
        }
        struct names_context c = {
                .run_dir = get_env("VMNET_RUN_DIR"),
                .socket_path = get_env("VMNET_SOCKET"),
                .domain = get_env("VMNET_DOMAIN"),
                .reserved = reserved_names(host),
        };
        if (!c.run_dir || !c.socket_path || !c.domain) {
                fprintf(stderr, "vmnet-names: run by vmnetd's dnsmasq only (VMNET_RUN_DIR, VMNET_SOCKET and "
                        "VMNET_DOMAIN are not set)\n");
                return 1;
        }
        if (argc == 2 && strcmp(argv[1], "init") == 0)
                return lease_store_print(c.run_dir, STDOUT_FILENO) < 0 ? 1 : 0;
        r = lease_event_parse(argc, argv, get_env, &ev);
        if (r == -ENOTSUP)
                return 0;
        if (r < 0) {
                fprintf(stderr, "vmnet-names: a dhcp-script call it does not understand (%d arguments)\n", argc - 1);
                return 1;
        }
        return names_publish(&c, &ev) < 0 ? 1 : 0;
}
