/* vmnet status: the caller's taps and the lab, as text or JSON. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "json_string.h"
#include "vmnet.h"

/* s as a JSON string literal on stdout.  Every string vmnetd sends is at
 * most VMNET_DOMAIN_MAX bytes (the protocol's longest field), and one
 * byte escapes to at most 6. */
static void put_json(const char *s) {
        char buf[6 * VMNET_DOMAIN_MAX + 3];
        json_string(s, buf, sizeof buf);
        fputs(buf, stdout);
}

static void print_json(const struct vmnet_reply *st) {
        printf("{\"user\": ");
        put_json(st->user);
        printf(", \"bridge\": ");
        put_json(st->bridge);
        printf(", \"address\": ");
        put_json(st->address);
        printf(", \"uplink\": ");
        put_json(vmnet_uplink_string(st->uplink));
        printf(", \"domain\": ");
        put_json(st->domain);
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
        printf("]}\n");
}

/* What the flags mean for this kind of tap, in a few words. */
static const char *tap_state(const struct vmnet_tap_info *t) {
        bool carrier = t->flags & VMNET_TAP_FLAG_CARRIER;
        if (!(t->flags & VMNET_TAP_FLAG_UP))
                return "down";
        switch (t->kind) {
        case VMNET_TAP_LOGIN:
                /* vmnetd holds it, so carrier only says vmnetd is doing its job */
                return carrier ? "ready for VirtualBox/VMware" : "no carrier (vmnetd lost it?)";
        case VMNET_TAP_PERSISTENT:
                return carrier ? "in use by a VM" : "free (no VM has it open)";
        default:
                return carrier ? "in use by a VM" : "no carrier";
        }
}

static void print_text(const struct vmnet_reply *st) {
        const struct vmnet_tap_info *login = cli_login_tap(st);

        printf("user      %s\n", st->user);
        printf("bridge    %s, address %s, uplink %s, domain %s\n",
               st->bridge, st->address, vmnet_uplink_string(st->uplink),
               st->domain[0] ? st->domain : "(none)");
        printf("taps      %u of at most %u\n", st->n_taps, st->max_taps);
        for (unsigned i = 0; i < st->n_taps; i++)
                printf("  %-15s  %-10s  %s\n", st->taps[i].name,
                       vmnet_tap_kind_string(st->taps[i].kind), tap_state(&st->taps[i]));
        if (!login)
                printf("no login tap: vmnetd has no session of yours (log in again; if it "
                       "stays so, ask the admin whether pam_vmnet is enabled)\n");
}

int cmd_status(int argc, char **argv) {
        struct vmnet_reply st;
        bool json = false;
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
        if (json)
                print_json(&st);
        else
                print_text(&st);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}
