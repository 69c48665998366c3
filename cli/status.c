/* vmnet status: the caller's taps, the lab and the VMs seen behind the
 * caller's links; with --all the whole lab (root and teacher_groups), as
 * text, JSON or the teachers' HTML page, once or --watch'ed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns_name.h"
#include "guard_status.h"
#include "json_writer.h"
#include "lab_health.h"
#include "lab_fetch.h"
#include "lab_html.h"
#include "lab_print.h"
#include "mac_address.h"
#include "segment.h"
#include "vmnet.h"

static void print_json(const struct vmnet_reply *st, const struct lab_view *mine,
                       const struct vmnet_lab_health *health, const struct vmnet_reply *segments) {
        char label[DNS_USER_LABEL_MAX + 1];
        struct json_writer w;

        dns_user_label(st->user, label);
        jw_init(&w, stdout, isatty(STDOUT_FILENO));
        jw_begin_object(&w, NULL);
        jw_string(&w, "user", st->user);
        jw_string(&w, "user_label", label);
        jw_string(&w, "bridge", st->bridge);
        jw_string(&w, "address", st->address);
        jw_string(&w, "uplink", vmnet_uplink_string(st->uplink));
        jw_string(&w, "domain", st->domain);
        lab_health_json(&w, "lab", health);
        jw_uint(&w, "max_taps", st->max_taps);
        jw_begin_array(&w, "taps");
        for (unsigned i = 0; i < st->n_taps; i++) {
                const struct vmnet_tap_info *t = &st->taps[i];
                jw_begin_object(&w, NULL);
                jw_string(&w, "name", t->name);
                jw_string(&w, "kind", vmnet_tap_kind_string(t->kind));
                jw_bool(&w, "up", t->flags & VMNET_TAP_FLAG_UP);
                jw_bool(&w, "carrier", t->flags & VMNET_TAP_FLAG_CARRIER);
                jw_end_object(&w);
        }
        jw_end_array(&w);
        jw_begin_array(&w, "vms");
        for (size_t i = 0; i < mine->n_vms; i++)
                lab_json_vm(&w, mine, &mine->vms[i]);
        jw_end_array(&w);
        guard_status_json(&w, "guard", st, mine);
        if (segments) {
                jw_uint(&w, "max_segments", segments->max_segments);
                cli_segments_json(&w, "segments", segments);
        }
        jw_end_object(&w);
        jw_finish(&w);
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

static void print_text(const struct vmnet_reply *st, const struct lab_view *mine,
                       const struct vmnet_lab_health *health, const struct vmnet_reply *segments) {
        const struct vmnet_tap_info *login = cli_login_tap(st);
        char label[DNS_USER_LABEL_MAX + 1];

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
        printf("VMs       %s\n", mine->n_vms ? "(seen behind your links and taps, or holding a lease of yours)"
                                              : "none seen behind your links and taps");
        dns_user_label(st->user, label);
        if (strcmp(label, st->user) != 0)
                /* a directory account's name, or one in capitals: the label that stands for it */
                printf("          each one's name for everyone is NAME.%s%s%s (the DNS form of your user name)\n",
                       label, st->domain[0] ? "." : "", st->domain);
        for (size_t i = 0; i < mine->n_vms; i++) {
                const struct lab_view_vm *m = &mine->vms[i];
                char addr[INET_ADDRSTRLEN + 1] = "-", mac[MAC_ADDRESS_STRLEN], fqdn[LAB_VM_FQDN_MAX];
                lab_vm_fqdn(mine, m, fqdn, sizeof fqdn);
                if (m->addr.s_addr) {
                        inet_ntop(AF_INET, &m->addr, addr, INET_ADDRSTRLEN);
                        if (!(m->flags & LAB_VM_LEASE))
                                strcat(addr, "*");
                }
                mac_address_format(m->mac, mac);
                printf("  %-24s  %-15s  %s\n", fqdn[0] ? fqdn : "(no name)", addr, mac);
        }
        if (mine->flags & LAB_VIEW_TRUNCATED)
                printf("  (and more)\n");
        guard_status_text(st, mine);
        if (segments)
                cli_segments_print(segments);
}

static int print_all(bool json, bool html) {
        struct lab_view v;
        int r = cli_fetch_lab(VMNET_SCOPE_ALL, &v);

        if (r != EXIT_OK)
                return r;
        if (html) {
                struct strbuf page = {};
                if (lab_html_render(&v, &page) < 0) {
                        fprintf(stderr, "vmnet: out of memory\n");
                        r = EXIT_ERROR;
                } else {
                        fwrite(page.data, 1, page.len, stdout);
                }
                strbuf_free(&page);
        } else if (json) {
                struct json_writer w;
                jw_init(&w, stdout, isatty(STDOUT_FILENO));
                lab_print_json(&w, &v);
                jw_finish(&w);
        } else {
                lab_print_text(stdout, &v, v.time);
        }
        lab_view_clear(&v);
        return r;
}

int cmd_status(int argc, char **argv) {
        static struct vmnet_reply st, segments;
        struct vmnet_lab_health health;
        struct lab_view mine;
        bool json = false, all = false, html = false, watch = false, have_health;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0) {
                        json = true;
                } else if (strcmp(argv[i], "--all") == 0) {
                        all = true;
                } else if (strcmp(argv[i], "--html") == 0) {
                        html = true;
                } else if (strcmp(argv[i], "--watch") == 0) {
                        watch = true;
                } else {
                        fprintf(stderr, "usage: vmnet status [--json] | vmnet status --all [--json | --html | --watch]\n");
                        return EXIT_USAGE;
                }
        }
        if ((html && !all) || (html && json) || (watch && (json || html))) {
                fprintf(stderr, "vmnet: --html goes with --all; --watch with neither --json nor --html\n");
                return EXIT_USAGE;
        }
        if (watch)
                return cmd_watch(all ? VMNET_SCOPE_ALL : VMNET_SCOPE_MINE);
        if (all)
                r = print_all(json, html);
        else {
                r = cli_status(&st);
                if (r != EXIT_OK)
                        return r;
                r = cli_fetch_lab(VMNET_SCOPE_MINE, &mine);
                if (r != EXIT_OK)
                        return r;
                have_health = cli_lab_health(&health);
                /* a vmnetd that knows no segments has none of yours; the text lists
                 * segments only when there are some (the JSON always, when it can) */
                bool asked = cli_segments_quietly(&segments);
                if (json)
                        print_json(&st, &mine, have_health ? &health : NULL, asked ? &segments : NULL);
                else
                        print_text(&st, &mine, have_health ? &health : NULL,
                                   asked && segments.n_segments ? &segments : NULL);
                lab_view_clear(&mine);
        }
        if (r == EXIT_OK && fflush(stdout) != 0)
                r = EXIT_ERROR;
        return r;
}
