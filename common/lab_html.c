/* The lab page (see lab_html.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab_html.h"
#include "mac_address.h"

/* The picture: one column per student (and one for VMs that are nobody's),
 * the bridge across the top. */
#define COL_W     210
#define BOX_W     190
#define MARGIN    20
#define BRIDGE_Y  70
#define STUDENT_Y 120
#define ROW_H     44
#define VM_INDENT 14

/* s, escaped for HTML text and attribute values alike. */
static void put_text(struct strbuf *b, const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '&':  strbuf_puts(b, "&amp;"); break;
                case '<':  strbuf_puts(b, "&lt;"); break;
                case '>':  strbuf_puts(b, "&gt;"); break;
                case '"':  strbuf_puts(b, "&quot;"); break;
                case '\'': strbuf_puts(b, "&#39;"); break;
                default:
                        if (*p < 0x20 || *p > 0x7e)
                                strbuf_puts(b, "&#xfffd;");
                        else
                                strbuf_put(b, (const char *)p, 1);
                }
        }
}

static const char *kind_name(uint8_t kind) {
        return vmnet_tap_kind_string(kind);
}

static void put_age(struct strbuf *b, const struct lab_view *v, int64_t since) {
        char d[32];
        if (since <= 0) {
                strbuf_puts(b, "?");
                return;
        }
        lab_view_format_duration(v->time - since, d, sizeof d);
        strbuf_puts(b, d);
}

static void put_lease(struct strbuf *b, const struct lab_view *v, const struct lab_view_vm *m) {
        char d[32];
        if (!(m->flags & LAB_VM_LEASE)) {
                strbuf_puts(b, "no lease");
                return;
        }
        if (m->expiry == 0) {
                strbuf_puts(b, "never expires");
                return;
        }
        lab_view_format_duration(m->expiry - v->time, d, sizeof d);
        strbuf_printf(b, "ends in %s", d);
}

static void put_addr(struct strbuf *b, const struct lab_view_vm *m) {
        char a[INET_ADDRSTRLEN];
        if (m->addr.s_addr == 0) {
                strbuf_puts(b, "no address");
                return;
        }
        inet_ntop(AF_INET, &m->addr, a, sizeof a);
        strbuf_puts(b, a);
        if (!(m->flags & LAB_VM_LEASE) && (m->flags & LAB_VM_ADDR_SEEN))
                strbuf_puts(b, " (seen)");
}

/* A VM's name, or its MAC for a nameless one (set in italics). */
static void put_vm_label(struct strbuf *b, const struct lab_view_vm *m) {
        char mac[MAC_ADDRESS_STRLEN];
        if (m->name[0]) {
                put_text(b, m->name);
                return;
        }
        mac_address_format(m->mac, mac);
        strbuf_puts(b, mac);
}

/* The VMs of each link in order, and those of nobody's link, as index
 * lists: first[link] .. first[link + 1] in order[]; nobody's at the end. */
struct vm_groups {
        size_t *first; /* n_links + 2 entries */
        size_t *order;
};

static int group_vms(const struct lab_view *v, struct vm_groups *g) {
        size_t n = v->n_links + 1; /* the last group: no link */
        g->first = calloc(n + 1, sizeof *g->first);
        g->order = calloc(v->n_vms ? v->n_vms : 1, sizeof *g->order);
        if (!g->first || !g->order) {
                free(g->first);
                free(g->order);
                return -1;
        }
        for (size_t i = 0; i < v->n_vms; i++) {
                uint32_t l = v->vms[i].link;
                g->first[(l < v->n_links ? l : v->n_links) + 1]++;
        }
        for (size_t k = 1; k <= n; k++)
                g->first[k] += g->first[k - 1];
        size_t *fill = calloc(n, sizeof *fill);
        if (!fill) {
                free(g->first);
                free(g->order);
                return -1;
        }
        for (size_t i = 0; i < v->n_vms; i++) {
                uint32_t l = v->vms[i].link;
                size_t k = l < v->n_links ? l : v->n_links;
                g->order[g->first[k] + fill[k]++] = i;
        }
        free(fill);
        return 0;
}

static void put_vm_box(struct strbuf *b, const struct lab_view_vm *m, int x, int y) {
        char mac[MAC_ADDRESS_STRLEN];
        mac_address_format(m->mac, mac);
        strbuf_printf(b, "<g class=\"vm\" data-mac=\"%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                  "rx=\"4\" class=\"vmbox\"/>", mac, x, y, BOX_W - VM_INDENT, ROW_H - 8);
        strbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"name%s\">", x + 6, y + 15,
                      m->name[0] ? "" : " nameless");
        put_vm_label(b, m);
        strbuf_printf(b, "</text><text x=\"%d\" y=\"%d\">", x + 6, y + 30);
        put_addr(b, m);
        strbuf_puts(b, "</text></g>\n");
}

static size_t attached_count(const struct lab_view *v, size_t segment) {
        size_t n = 0;
        for (size_t p = 0; p < v->n_segment_ports; p++)
                n += v->segment_ports[p].segment == segment;
        return n;
}

/* One student's column: their box, then each link with its VMs below. */
static int put_column(struct strbuf *b, const struct lab_view *v, const struct vm_groups *g,
                      size_t student, int x) {
        int y = STUDENT_Y;
        const struct lab_view_student *s = &v->students[student];

        strbuf_printf(b, "<g class=\"student\" data-user=\"");
        put_text(b, s->user);
        strbuf_printf(b, "\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"wire\"/>",
                  x + BOX_W / 2, BRIDGE_Y + 12, x + BOX_W / 2, y);
        strbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" class=\"studentbox\"/>",
                  x, y, BOX_W, ROW_H - 6);
        strbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"name\">", x + 8, y + 16);
        put_text(b, s->user);
        strbuf_printf(b, "</text><text x=\"%d\" y=\"%d\">%u session%s</text></g>\n", x + 8, y + 31,
                  s->sessions, s->sessions == 1 ? "" : "s");
        y += ROW_H;
        for (size_t l = 0; l < v->n_links; l++) {
                const struct lab_view_link *k = &v->links[l];
                if (k->student != student)
                        continue;
                strbuf_printf(b, "<g class=\"link\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                          "class=\"linkbox %s\"/><text x=\"%d\" y=\"%d\">", x, y, BOX_W, ROW_H - 14,
                          kind_name(k->kind), x + 6, y + 19);
                put_text(b, k->name);
                strbuf_printf(b, " (%s%s)</text></g>\n", kind_name(k->kind),
                          k->flags & VMNET_TAP_FLAG_CARRIER ? "" : ", no carrier");
                y += ROW_H - 8;
                for (size_t i = g->first[l]; i < g->first[l + 1]; i++, y += ROW_H)
                        put_vm_box(b, &v->vms[g->order[i]], x + VM_INDENT, y);
        }
        for (size_t i = 0; i < v->n_segments; i++) {
                const struct lab_view_segment *seg = &v->segments[i];
                if (seg->student != student)
                        continue;
                strbuf_printf(b, "<g class=\"segment\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                              "rx=\"4\" class=\"segmentbox\"/><text x=\"%d\" y=\"%d\" class=\"name\">", x, y,
                              BOX_W, ROW_H - 6, x + 6, y + 15);
                put_text(b, seg->name);
                strbuf_printf(b, "</text><text x=\"%d\" y=\"%d\">private, %zu attached</text></g>\n", x + 6,
                              y + 30, attached_count(v, i));
                y += ROW_H;
        }
        return y;
}

static void put_picture(struct strbuf *b, const struct lab_view *v, const struct vm_groups *g) {
        size_t nobody = g->first[v->n_links + 1] - g->first[v->n_links];
        size_t cols = v->n_students + (nobody > 0);
        int width = MARGIN * 2 + (int)(cols ? cols : 1) * COL_W, height = STUDENT_Y;
        struct strbuf body = {};

        for (size_t s = 0; s < v->n_students; s++) {
                int h = put_column(&body, v, g, s, MARGIN + (int)s * COL_W);
                if (h > height)
                        height = h;
        }
        if (nobody > 0) {
                int x = MARGIN + (int)v->n_students * COL_W, y = STUDENT_Y;
                strbuf_printf(&body, "<g class=\"others\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                          "class=\"wire\"/><text x=\"%d\" y=\"%d\" class=\"name\">not behind a "
                          "student's link</text></g>\n", x + BOX_W / 2, BRIDGE_Y + 12, x + BOX_W / 2, y,
                          x, y + 16);
                y += 28;
                for (size_t i = g->first[v->n_links]; i < g->first[v->n_links + 1]; i++, y += ROW_H)
                        put_vm_box(&body, &v->vms[g->order[i]], x, y);
                if (y > height)
                        height = y;
        }
        height += MARGIN;
        strbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"the lab\">\n", width, height, width, height);
        strbuf_printf(b, "<text x=\"%d\" y=\"24\" class=\"name\">uplink: %s</text>\n", MARGIN,
                  vmnet_uplink_string(v->uplink));
        strbuf_printf(b, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" class=\"wire\"/>\n", MARGIN + 30,
                  MARGIN + 30, BRIDGE_Y);
        strbuf_printf(b, "<g class=\"bridge\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" rx=\"4\" "
                  "class=\"bridgebox\"/><text x=\"%d\" y=\"%d\" class=\"name\">", MARGIN, BRIDGE_Y - 12,
                  width - 2 * MARGIN, MARGIN + 60, BRIDGE_Y + 5);
        put_text(b, v->bridge);
        strbuf_puts(b, " ");
        put_text(b, v->address);
        strbuf_puts(b, "</text></g>\n");
        strbuf_put(b, body.data ? body.data : "", body.len);
        if (body.error)
                b->error = body.error;
        strbuf_free(&body);
        strbuf_puts(b, "</svg>\n");
}

static void put_students_table(struct strbuf *b, const struct lab_view *v) {
        strbuf_puts(b, "<h2>Students and their links</h2>\n<table class=\"links\"><thead><tr><th>Student</th>"
                "<th>Sessions</th><th>Here for</th><th>Link or tap</th><th>Kind</th><th>Bridge port</th>"
                "<th>State</th><th>Up for</th></tr></thead><tbody>\n");
        for (size_t s = 0; s < v->n_students; s++) {
                const struct lab_view_student *st = &v->students[s];
                bool any = false;
                for (size_t l = 0; l <= v->n_links; l++) {
                        const struct lab_view_link *k = l < v->n_links ? &v->links[l] : NULL;
                        if (k ? k->student != s : any)
                                continue;
                        strbuf_puts(b, "<tr class=\"student\"><td>");
                        put_text(b, st->user);
                        strbuf_printf(b, "</td><td>%u</td><td>", st->sessions);
                        put_age(b, v, st->since);
                        strbuf_puts(b, "</td>");
                        if (k) {
                                strbuf_puts(b, "<td>");
                                put_text(b, k->name);
                                strbuf_printf(b, "</td><td>%s</td><td>", kind_name(k->kind));
                                put_text(b, k->port);
                                strbuf_printf(b, "</td><td>%s%s</td><td>", k->flags & VMNET_TAP_FLAG_UP ? "up" : "down",
                                          k->flags & VMNET_TAP_FLAG_CARRIER ? "" : ", no carrier");
                                put_age(b, v, k->since);
                                strbuf_puts(b, "</td>");
                        } else {
                                strbuf_puts(b, "<td colspan=\"5\">no link</td>");
                        }
                        strbuf_puts(b, "</tr>\n");
                        any = true;
                }
        }
        strbuf_puts(b, "</tbody></table>\n");
}

static void put_segments_table(struct strbuf *b, const struct lab_view *v) {
        if (v->n_segments == 0)
                return;
        strbuf_puts(b, "<h2>Private segments</h2>\n<table class=\"segments\"><thead><tr><th>Student</th>"
                "<th>Segment</th><th>Bridge</th><th>Link</th><th>Stays</th><th>Attached</th><th>Made</th>"
                "</tr></thead><tbody>\n");
        for (size_t i = 0; i < v->n_segments; i++) {
                const struct lab_view_segment *g = &v->segments[i];
                size_t n = 0;
                strbuf_puts(b, "<tr class=\"segment\"><td>");
                put_text(b, v->students[g->student].user);
                strbuf_puts(b, "</td><td>");
                put_text(b, g->name);
                strbuf_puts(b, "</td><td>");
                put_text(b, g->bridge);
                strbuf_puts(b, "</td><td>");
                put_text(b, g->link[0] ? g->link : "-");
                strbuf_printf(b, "</td><td>%s</td><td>", g->flags & VMNET_SEGMENT_KEEP ? "kept" : "until the last logout");
                for (size_t p = 0; p < v->n_segment_ports; p++) {
                        if (v->segment_ports[p].segment != i)
                                continue;
                        strbuf_puts(b, n++ ? ", " : "");
                        put_text(b, v->segment_ports[p].name);
                }
                strbuf_puts(b, n ? "</td><td>" : "nothing</td><td>");
                put_age(b, v, g->since);
                strbuf_puts(b, " ago</td></tr>\n");
        }
        strbuf_puts(b, "</tbody></table>\n");
}

static void put_vms_table(struct strbuf *b, const struct lab_view *v) {
        strbuf_puts(b, "<h2>VMs seen on the lab</h2>\n<table class=\"vms\"><thead><tr><th>Name</th><th>MAC</th>"
                "<th>Address</th><th>Owner</th><th>Behind</th><th>Bridge port</th><th>Seen for</th>"
                "<th>Lease</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < v->n_vms; i++) {
                const struct lab_view_vm *m = &v->vms[i];
                char mac[MAC_ADDRESS_STRLEN];
                mac_address_format(m->mac, mac);
                strbuf_printf(b, "<tr class=\"vm\" data-mac=\"%s\"><td>", mac);
                put_text(b, m->name[0] ? m->name : "(no name)");
                strbuf_printf(b, "</td><td>%s</td><td>", mac);
                put_addr(b, m);
                strbuf_puts(b, "</td><td>");
                put_text(b, m->owner[0] ? m->owner : "nobody");
                strbuf_puts(b, "</td><td>");
                put_text(b, m->link < v->n_links ? v->links[m->link].name : "-");
                strbuf_puts(b, "</td><td>");
                put_text(b, m->port[0] ? m->port : "not seen now");
                strbuf_puts(b, "</td><td>");
                put_age(b, v, m->since);
                strbuf_puts(b, "</td><td>");
                put_lease(b, v, m);
                strbuf_puts(b, "</td></tr>\n");
        }
        strbuf_puts(b, "</tbody></table>\n");
}

static const char STYLE[] =
        "body{font-family:sans-serif;margin:1em;color:#222}"
        "table{border-collapse:collapse;margin-bottom:1.5em}"
        "th,td{border:1px solid #bbb;padding:2px 8px;text-align:left;font-size:90%}"
        "th{background:#eee}"
        "svg text{font-size:12px;font-family:sans-serif}"
        "svg .name{font-weight:bold}"
        "svg .nameless{font-style:italic;font-weight:normal}"
        ".wire{stroke:#555;stroke-width:2}"
        ".bridgebox{fill:#cde}"
        ".studentbox{fill:#ffe8b0;stroke:#a80}"
        ".linkbox{fill:#e4f4e4;stroke:#484}"
        ".linkbox.vm{fill:#e4eef8;stroke:#468}"
        ".vmbox{fill:#fff;stroke:#666}"
        ".segmentbox{fill:#f0e4f8;stroke:#748;stroke-dasharray:4 2}";

int lab_html_render(const struct lab_view *v, struct strbuf *out) {
        struct vm_groups g;
        struct tm tm;
        time_t t = (time_t)v->time;
        char when[64] = "?";

        if (group_vms(v, &g) < 0) {
                out->error = -ENOMEM;
                return out->error;
        }
        if (gmtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        strbuf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"refresh\" content=\"%d\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'\">\n<title>Lab ", LAB_HTML_REFRESH_SECONDS);
        put_text(out, v->bridge);
        strbuf_printf(out, "</title>\n<style>%s</style></head>\n<body>\n<h1>Lab ", STYLE);
        put_text(out, v->bridge);
        strbuf_puts(out, "</h1>\n<p class=\"summary\">");
        put_text(out, v->address);
        strbuf_printf(out, ", uplink %s, domain ", vmnet_uplink_string(v->uplink));
        put_text(out, v->domain[0] ? v->domain : "(none)");
        strbuf_printf(out, "; %zu student%s, %zu VM%s; as of %s (generation %llu)%s</p>\n", v->n_students,
                  v->n_students == 1 ? "" : "s", v->n_vms, v->n_vms == 1 ? "" : "s", when,
                  (unsigned long long)v->generation,
                  v->flags & LAB_VIEW_TRUNCATED ? "; <strong>not all of the lab fits in this page</strong>" : "");
        put_picture(out, v, &g);
        put_students_table(out, v);
        put_segments_table(out, v);
        put_vms_table(out, v);
        strbuf_puts(out, "</body></html>\n");
        free(g.first);
        free(g.order);
        return out->error;
}
