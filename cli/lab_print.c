/* The lab view as text and as JSON (see lab_print.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns_name.h"
#include "lab_print.h"
#include "mac_address.h"
#include "segment.h"

void lab_vm_fqdn(const struct lab_view *v, const struct lab_view_vm *m, char *ret, size_t size) {
        char label[DNS_USER_LABEL_MAX + 1] = "";

        if (!m->name[0]) {
                snprintf(ret, size, "%s", "");
                return;
        }
        /* NAME.USER.DOMAIN means this VM to anyone (libnss_vmnet), even when
         * another student's VM is also called NAME; USER is the label that
         * stands for the owner (alice@ad.example.edu is no DNS label) */
        if (m->owner[0])
                dns_user_label(m->owner, label);
        snprintf(ret, size, "%s%s%s%s%s", m->name, label[0] ? "." : "", label, v->domain[0] ? "." : "", v->domain);
}

static const char *address_from(const struct lab_view_vm *m) {
        if (m->addr.s_addr == 0)
                return "none";
        return m->flags & LAB_VM_LEASE ? "lease" : "seen";
}

static const char *link_name(const struct lab_view *v, const struct lab_view_vm *m) {
        return m->link < v->n_links ? v->links[m->link].name : "";
}

void lab_json_vm(struct json_writer *w, const struct lab_view *v, const struct lab_view_vm *m) {
        char mac[MAC_ADDRESS_STRLEN], addr[INET_ADDRSTRLEN] = "", fqdn[LAB_VM_FQDN_MAX];

        mac_address_format(m->mac, mac);
        if (m->addr.s_addr)
                inet_ntop(AF_INET, &m->addr, addr, sizeof addr);
        lab_vm_fqdn(v, m, fqdn, sizeof fqdn);
        jw_begin_object(w, NULL);
        jw_string(w, "name", m->name);
        jw_string(w, "fqdn", fqdn);
        jw_string(w, "address", addr);
        jw_string(w, "address_from", address_from(m));
        jw_string(w, "mac", mac);
        jw_string(w, "owner", m->owner);
        if (m->owner_uid == LAB_VIEW_NONE)
                jw_null(w, "uid");
        else
                jw_uint(w, "uid", m->owner_uid);
        jw_string(w, "link", link_name(v, m));
        jw_string(w, "port", m->port);
        jw_int(w, "since", m->since);
        if (m->flags & LAB_VM_LEASE)
                jw_int(w, "expiry", m->expiry);
        else
                jw_null(w, "expiry");
        jw_end_object(w);
}

static void json_link(struct json_writer *w, const struct lab_view_link *l) {
        jw_begin_object(w, NULL);
        jw_string(w, "name", l->name);
        jw_string(w, "kind", vmnet_tap_kind_string(l->kind));
        jw_string(w, "port", l->port);
        jw_bool(w, "up", l->flags & VMNET_TAP_FLAG_UP);
        jw_bool(w, "carrier", l->flags & VMNET_TAP_FLAG_CARRIER);
        jw_int(w, "since", l->since);
        jw_end_object(w);
}

/* The segments of student s, fields named as in 'vmnet status --json'
 * (cli_segments_json), since added. */
static void json_segments(struct json_writer *w, const struct lab_view *v, size_t s) {
        jw_begin_array(w, "segments");
        for (size_t i = 0; i < v->n_segments; i++) {
                const struct lab_view_segment *g = &v->segments[i];
                if (g->student != s)
                        continue;
                jw_begin_object(w, NULL);
                cli_segment_json_fields(w, g->name, g->bridge, g->link, g->flags & VMNET_SEGMENT_KEEP);
                jw_int(w, "since", g->since);
                jw_begin_array(w, "attached");
                for (size_t p = 0; p < v->n_segment_ports; p++)
                        if (v->segment_ports[p].segment == i)
                                jw_string(w, NULL, v->segment_ports[p].name);
                jw_end_array(w);
                jw_end_object(w);
        }
        jw_end_array(w);
}

void lab_print_json(struct json_writer *w, const struct lab_view *v) {
        jw_begin_object(w, NULL);
        jw_uint(w, "generation", v->generation);
        jw_int(w, "time", v->time);
        jw_string(w, "bridge", v->bridge);
        jw_string(w, "address", v->address);
        jw_string(w, "uplink", vmnet_uplink_string(v->uplink));
        jw_string(w, "domain", v->domain);
        jw_bool(w, "truncated", v->flags & LAB_VIEW_TRUNCATED);
        jw_begin_array(w, "students");
        for (size_t s = 0; s < v->n_students; s++) {
                const struct lab_view_student *st = &v->students[s];
                jw_begin_object(w, NULL);
                jw_string(w, "user", st->user);
                jw_uint(w, "uid", st->uid);
                jw_uint(w, "sessions", st->sessions);
                jw_int(w, "since", st->since);
                jw_begin_array(w, "links");
                for (size_t l = 0; l < v->n_links; l++)
                        if (v->links[l].student == s)
                                json_link(w, &v->links[l]);
                jw_end_array(w);
                json_segments(w, v, s);
                jw_end_object(w);
        }
        jw_end_array(w);
        jw_begin_array(w, "vms");
        for (size_t i = 0; i < v->n_vms; i++)
                lab_json_vm(w, v, &v->vms[i]);
        jw_end_array(w);
        jw_end_object(w);
}

static void put_age(FILE *f, const char *fmt, int64_t now, int64_t since) {
        char d[32] = "?";
        if (since > 0)
                lab_view_format_duration(now - since, d, sizeof d);
        fprintf(f, fmt, d);
}

static void print_segments(FILE *f, const struct lab_view *v, size_t s, int64_t now) {
        for (size_t i = 0; i < v->n_segments; i++) {
                const struct lab_view_segment *g = &v->segments[i];
                size_t n = 0;
                if (g->student != s)
                        continue;
                fprintf(f, "    segment %-15s bridge %-12s link %-15s %s", g->name, g->bridge,
                        g->link[0] ? g->link : "-", g->flags & VMNET_SEGMENT_KEEP ? "kept" : "until the last logout");
                put_age(f, ", for %s; ", now, g->since);
                for (size_t p = 0; p < v->n_segment_ports; p++)
                        if (v->segment_ports[p].segment == i)
                                fprintf(f, "%s%s", n++ ? ", " : "attached: ", v->segment_ports[p].name);
                fprintf(f, "%s\n", n ? "" : "nothing attached by tap");
        }
}

void lab_print_text(FILE *f, const struct lab_view *v, int64_t now) {
        fprintf(f, "lab       %s, address %s, uplink %s, domain %s\n", v->bridge, v->address,
                vmnet_uplink_string(v->uplink), v->domain[0] ? v->domain : "(none)");
        fprintf(f, "students  %zu with a session\n", v->n_students);
        for (size_t s = 0; s < v->n_students; s++) {
                const struct lab_view_student *st = &v->students[s];
                fprintf(f, "  %-16s %u session%s", st->user, st->sessions, st->sessions == 1 ? "" : "s");
                put_age(f, ", for %s\n", now, st->since);
                for (size_t l = 0; l < v->n_links; l++) {
                        const struct lab_view_link *k = &v->links[l];
                        if (k->student != s)
                                continue;
                        fprintf(f, "    %-15s %-10s %-8s", k->name, vmnet_tap_kind_string(k->kind),
                                !(k->flags & VMNET_TAP_FLAG_UP) ? "down"
                                : k->flags & VMNET_TAP_FLAG_CARRIER ? "up" : "no-carrier");
                        put_age(f, " for %s\n", now, k->since);
                }
                print_segments(f, v, s, now);
        }
        fprintf(f, "VMs       %zu seen on the lab\n", v->n_vms);
        if (v->n_vms)
                fprintf(f, "  %-17s  %-20s  %-15s  %-12s  %-15s  %-8s  %s\n", "MAC", "NAME", "ADDRESS",
                        "OWNER", "BEHIND", "SEEN", "LEASE");
        for (size_t i = 0; i < v->n_vms; i++) {
                const struct lab_view_vm *m = &v->vms[i];
                char mac[MAC_ADDRESS_STRLEN], addr[INET_ADDRSTRLEN + 8] = "-", lease[40] = "-", seen[32] = "?";
                mac_address_format(m->mac, mac);
                if (m->addr.s_addr) {
                        inet_ntop(AF_INET, &m->addr, addr, INET_ADDRSTRLEN);
                        if (!(m->flags & LAB_VM_LEASE))
                                strcat(addr, "*");
                }
                if ((m->flags & LAB_VM_LEASE) && m->expiry == 0)
                        snprintf(lease, sizeof lease, "forever");
                else if (m->flags & LAB_VM_LEASE)
                        lab_view_format_duration(m->expiry - now, lease, sizeof lease);
                if (m->since > 0)
                        lab_view_format_duration(now - m->since, seen, sizeof seen);
                fprintf(f, "  %-17s  %-20s  %-15s  %-12s  %-15s  %-8s  %s\n", mac,
                        m->name[0] ? m->name : "(no name)", addr, m->owner[0] ? m->owner : "-",
                        m->link < v->n_links ? v->links[m->link].name : m->port[0] ? m->port : "-", seen, lease);
        }
        if (v->n_vms)
                fprintf(f, "  (* an address the host saw it use, without a lease)\n");
        if (v->flags & LAB_VIEW_TRUNCATED)
                fprintf(f, "(the lab is larger than vmnetd lists: some are left out)\n");
}
