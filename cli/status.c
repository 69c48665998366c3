/* vmnet status: the caller's taps and the lab, as text or JSON. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard_status.h"
#include "hosts_snapshot.h"
#include "json_string.h"
#include "lab_health.h"
#include "json_writer.h"
#include "mac_address.h"
#include "segment.h"
#include "vmnet.h"

#define VM_NAME_MAX (DNS_LABEL_MAX + 1 + VMNET_USER_MAX + 1 + VMNET_DOMAIN_MAX + 1)

/* The caller's VMs: the leases vmnetd's snapshot attributes to our uid. */
struct my_vms {
        struct hosts_snapshot_file file; /* zeroed when there is no snapshot */
        uint32_t idx[VMNET_TAPS_MAX * 4];
        size_t n;
        bool more;                       /* some did not fit in idx */
};

static void my_vms_load(struct my_vms *v) {
        uid_t uid = getuid();
        time_t now = time(NULL);

        memset(v, 0, sizeof *v);
        /* No snapshot (vmnetd not publishing, or no lease yet) is no VM. */
        if (hosts_snapshot_file_open(HOSTS_SNAPSHOT_PATH, &v->file) < 0)
                return;
        const struct hosts_snapshot *s = &v->file.view;
        for (uint32_t i = 0; i < s->n_entries; i++) {
                const struct hosts_snapshot_entry *e = &s->entries[s->by_name[i]];
                if (e->owner_uid != (uint32_t)uid || (e->expiry != 0 && e->expiry <= now))
                        continue;
                if (v->n == sizeof v->idx / sizeof v->idx[0]) {
                        v->more = true;
                        break;
                }
                v->idx[v->n++] = s->by_name[i];
        }
}

static const struct hosts_snapshot_entry *my_vm(const struct my_vms *v, size_t i) {
        return &v->file.view.entries[v->idx[i]];
}

/* NAME.USER.DOMAIN: the name that means this VM to anyone (libnss_vmnet),
 * even when another student's VM is also called NAME. */
static void format_vm_name(const struct hosts_snapshot_entry *e, const struct vmnet_reply *st,
                           char *ret, size_t size) {
        char label[DNS_USER_LABEL_MAX + 1];

        /* USER is the label that stands for the user (dns_name.h), not the
         * user name: alice@ad.example.edu is no DNS label */
        if (e->owner[0])
                snprintf(label, sizeof label, "%s", e->owner);
        else
                dns_user_label(st->user, label);
        snprintf(ret, size, "%s.%s%s%s", e->name, label, st->domain[0] ? "." : "", st->domain);
}

/* s as a JSON string literal on stdout.  Every string printed is at most
 * VM_NAME_MAX bytes (a VM's full name; the protocol's fields are shorter),
 * and one byte escapes to at most 6. */
static void put_json(const char *s) {
        char buf[6 * VM_NAME_MAX + 3];
        json_string(s, buf, sizeof buf);
        fputs(buf, stdout);
}

/* The address, MAC and full name of a VM, as both outputs show them. */
static void describe_vm(const struct hosts_snapshot_entry *e, const struct vmnet_reply *st,
                        char addr[INET_ADDRSTRLEN], char mac[18], char fqdn[VM_NAME_MAX]) {
        inet_ntop(AF_INET, &e->addr, addr, INET_ADDRSTRLEN);
        mac_address_format(e->mac, mac);
        format_vm_name(e, st, fqdn, VM_NAME_MAX);
}

static void print_json(const struct vmnet_reply *st, const struct my_vms *vms,
                       const struct vmnet_lab_health *health, const struct vmnet_reply *segments) {
        char label[DNS_USER_LABEL_MAX + 1];
        dns_user_label(st->user, label);
        printf("{\"user\": ");
        put_json(st->user);
        printf(", \"user_label\": ");
        put_json(label);
        printf(", \"bridge\": ");
        put_json(st->bridge);
        printf(", \"address\": ");
        put_json(st->address);
        printf(", \"uplink\": ");
        put_json(vmnet_uplink_string(st->uplink));
        printf(", \"domain\": ");
        put_json(st->domain);
        printf(", \"lab\": ");
        lab_health_print_json(health);
        printf(", \"max_taps\": %u, \"taps\": [", st->max_taps);
        for (unsigned i = 0; i < st->n_taps; i++) {
                const struct vmnet_tap_info *t = &st->taps[i];
                printf("%s{\"name\": ", i ? ", " : "");
                put_json(t->name);
                printf(", \"kind\": ");
                put_json(vmnet_tap_kind_string(t->kind));
                printf(", \"up\": %s, \"carrier\": %s}",
                       t->flags & VMNET_TAP_FLAG_UP ? "true" : "false",
                       t->flags & VMNET_TAP_FLAG_CARRIER ? "true" : "false");
        }
        printf("], \"vms\": [");
        for (size_t i = 0; i < vms->n; i++) {
                const struct hosts_snapshot_entry *e = my_vm(vms, i);
                char addr[INET_ADDRSTRLEN], mac[18], fqdn[VM_NAME_MAX];
                describe_vm(e, st, addr, mac, fqdn);
                printf("%s{\"name\": ", i ? ", " : "");
                put_json(e->name);
                printf(", \"fqdn\": ");
                put_json(fqdn);
                printf(", \"address\": ");
                put_json(addr);
                printf(", \"mac\": ");
                put_json(mac);
                printf(", \"expiry\": %" PRId64 "}", e->expiry);
        }
        printf("], \"guard\": ");
        guard_status_json(st, vms->file.map ? &vms->file.view : NULL, (uint32_t)getuid());
        if (segments) {
                struct json_writer w;
                printf(", \"max_segments\": %u, \"segments\": ", segments->max_segments);
                jw_init(&w, stdout, false);
                cli_segments_json(&w, NULL, segments);
        }
        printf("}\n");
}

/* What the flags mean for this kind of tap, in a few words. */
static const char *tap_state(const struct vmnet_tap_info *t) {
        bool carrier = t->flags & VMNET_TAP_FLAG_CARRIER;
        if (!(t->flags & VMNET_TAP_FLAG_UP))
                return "down";
        switch (t->kind) {
        case VMNET_TAP_LOGIN:
                /* a veth: carrier while its other end, the bridge port, is up */
                return carrier ? "ready for VirtualBox/VMware" : "no carrier (its bridge end is down)";
        case VMNET_TAP_PERSISTENT:
                return carrier ? "in use by a VM" : "free (no VM has it open)";
        case VMNET_TAP_NETNS:
                /* the bridge end of a veth: carrier while the namespace's end is up */
                return carrier ? "into a network namespace of yours" : "no carrier (its end in the namespace is down)";
        default:
                return carrier ? "in use by a VM" : "no carrier";
        }
}

static void print_text(const struct vmnet_reply *st, const struct my_vms *vms,
                       const struct vmnet_lab_health *health, const struct vmnet_reply *segments) {
        const struct vmnet_tap_info *login = cli_login_tap(st);

        printf("user      %s\n", st->user);
        printf("bridge    %s, address %s, uplink %s, domain %s\n",
               st->bridge, st->address, vmnet_uplink_string(st->uplink),
               st->domain[0] ? st->domain : "(none)");
        if (health)
                lab_health_print_text(health);
        printf("taps      %u of at most %u\n", st->n_taps, st->max_taps);
        for (unsigned i = 0; i < st->n_taps; i++)
                printf("  %-15s  %-10s  %s\n", st->taps[i].name,
                       vmnet_tap_kind_string(st->taps[i].kind), tap_state(&st->taps[i]));
        if (!login)
                printf("no login tap: vmnetd has no session of yours (it makes the tap when "
                       "you log in, if pam_vmnet is enabled and your account is admitted "
                       "to the lab)\n");
        char label[DNS_USER_LABEL_MAX + 1];
        dns_user_label(st->user, label);
        printf("VMs       %s\n", vms->n ? "(named leases from the lab's DHCP)" : "none with a lease and a name");
        if (strcmp(label, st->user) != 0)
                /* a directory account's name, or one in capitals: the label that stands for it */
                printf("          each one's name for everyone is NAME.%s%s%s (the DNS form of your user name)\n",
                       label, st->domain[0] ? "." : "", st->domain);
        for (size_t i = 0; i < vms->n; i++) {
                const struct hosts_snapshot_entry *e = my_vm(vms, i);
                char addr[INET_ADDRSTRLEN], mac[18], fqdn[VM_NAME_MAX];
                describe_vm(e, st, addr, mac, fqdn);
                printf("  %-24s  %-15s  %s\n", fqdn, addr, mac);
        }
        if (vms->more)
                printf("  (and more)\n");
        guard_status_text(st, vms->file.map ? &vms->file.view : NULL, (uint32_t)getuid());
        if (segments)
                cli_segments_print(segments);
}

int cmd_status(int argc, char **argv) {
        static struct vmnet_reply st, segments;
        struct vmnet_lab_health health;
        struct my_vms vms;
        bool json = false, have_health;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0) {
                        json = true;
                } else {
                        fprintf(stderr, "usage: vmnet status [--json]\n");
                        return EXIT_USAGE;
                }
        }
        r = cli_status(&st);
        if (r != EXIT_OK)
                return r;
        have_health = cli_lab_health(&health);
        my_vms_load(&vms);
        /* a vmnetd that knows no segments has none of yours; the text lists
         * segments only when there are some (the JSON always, when it can) */
        bool asked = cli_segments_quietly(&segments);
        if (json)
                print_json(&st, &vms, have_health ? &health : NULL, asked ? &segments : NULL);
        else
                print_text(&st, &vms, have_health ? &health : NULL, asked && segments.n_segments ? &segments : NULL);
        hosts_snapshot_file_close(&vms.file);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}
