/* The lab view vmnetd keeps (see lab_views.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "fdb.h"
#include "files.h"
#include "hosts_snapshot.h"
#include "lab.h"
#include "lab_html.h"
#include "lab_ops.h"
#include "leases.h"
#include "log.h"
#include "names_files.h"
#include "tap_name.h"

#define READ_MAX (16u << 20) /* the lease file and /proc/net/arp of any lab fit */

/* How a link is shown (STATUS's kinds); 0 for one that is not listed. */
static uint8_t view_kind(enum link_kind kind) {
        const struct link_kind_info *info = link_kind_info(kind);
        return info ? info->reported_as : 0;
}

/* The student entry of uid, made if needed (a student with a VM tap and no
 * session is one too). */
static int student_index(struct lab *lab, struct lab_view *v, uid_t uid, const char *name) {
        for (size_t i = 0; i < v->n_students; i++)
                if (v->students[i].uid == (uint32_t)uid)
                        return (int)i;
        struct lab_view_student s = { .uid = (uint32_t)uid };
        struct user_info user;
        if (name)
                snprintf(s.user, sizeof s.user, "%s", name);
        else if (lab->ops->user_by_uid(uid, &user) == 0)
                snprintf(s.user, sizeof s.user, "%s", user.name);
        else
                snprintf(s.user, sizeof s.user, "uid %u", (unsigned)uid);
        int r = lab_view_add_student(v, &s);
        return r < 0 ? r : (int)v->n_students - 1;
}

/* The link's flags as the view shows them: the record's, as its link
 * events told them, or, before any did, the kernel's now.  *ret_gone when
 * the kernel has it no more (its deletion event is on its way). */
static uint8_t link_flags_now(struct lab *lab, const struct link_record *rec, bool *ret_gone) {
        struct kernel_link k = { .flags = rec->flags };

        *ret_gone = !rec->flags_known && lab->ops->link_get(lab, rec->ifindex, &k) < 0;
        if (*ret_gone)
                return 0;
        return (k.flags & IFF_LOWER_UP ? VMNET_TAP_FLAG_CARRIER : 0) | (k.flags & IFF_UP ? VMNET_TAP_FLAG_UP : 0);
}

struct shown {
        const struct link_record *rec;
        int student;
        int index; /* in the owner's tap names: the login link first, then +1, +2... */
};

static int by_student_and_index(const void *a, const void *b) {
        const struct shown *x = a, *y = b;
        if (x->student != y->student)
                return x->student < y->student ? -1 : 1;
        return (unsigned)x->index < (unsigned)y->index ? -1 : (unsigned)x->index > (unsigned)y->index;
}

/* Students (with a session, or holding a link) and their links. */
static int add_students_and_links(struct lab *lab, struct lab_view *v) {
        _cleanup_free_ struct shown *shown = calloc(lab->links.n ? lab->links.n : 1, sizeof *shown);
        size_t n = 0;
        int r;

        if (!shown)
                return -ENOMEM;
        for (size_t i = 0; i < lab->students.n; i++) {
                const struct student *st = lab->students.v[i];
                r = student_index(lab, v, st->user.uid, st->user.name);
                if (r < 0)
                        return r == -E2BIG ? 0 : r;
                v->students[r].sessions = (uint16_t)(st->n_sessions > UINT16_MAX ? UINT16_MAX : st->n_sessions);
        }
        link_registry_foreach(rec, &lab->links) {
                /* what is on a segment is listed with its segment (add_segments) */
                if (rec->dying || !view_kind(rec->kind) || (LINK_KINDS_ON_SEGMENT & LINK_KIND_BIT(rec->kind)))
                        continue;
                r = student_index(lab, v, rec->owner, NULL);
                if (r < 0)
                        continue; /* more students than a view holds: marked truncated */
                struct lab_view_student *s = &v->students[r];
                /* logged in since the login link was made; else since their first link */
                int64_t made = rec->created > 0 ? rec->created : 0; /* 0: not known */
                if (rec->kind == LINK_LOGIN || s->since == 0 || (s->sessions == 0 && made && made < s->since))
                        s->since = made;
                shown[n++] = (struct shown) { rec, r, tap_name_index(lab->config.tap_name, s->user, rec->name) };
        }
        qsort(shown, n, sizeof *shown, by_student_and_index);
        for (size_t i = 0; i < n; i++) {
                const struct link_record *rec = shown[i].rec;
                const struct link_record *port = rec->kind == LINK_LOGIN
                                                 ? link_registry_by_ifindex(&lab->links, rec->peer_ifindex) : rec;
                bool gone;
                struct lab_view_link l = { .student = (uint32_t)shown[i].student, .kind = view_kind(rec->kind),
                                           .flags = link_flags_now(lab, rec, &gone),
                                           .since = rec->created > 0 ? rec->created : 0 };
                if (gone)
                        continue; /* its link event is on its way */
                snprintf(l.name, sizeof l.name, "%s", rec->name);
                snprintf(l.port, sizeof l.port, "%s", port ? port->name : "");
                r = lab_view_add_link(v, &l);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

struct shown_segment {
        struct lab_view_segment s;
        int ifindex; /* its bridge's */
};

static int by_student_and_name(const void *a, const void *b) {
        const struct shown_segment *x = a, *y = b;
        if (x->s.student != y->s.student)
                return x->s.student < y->s.student ? -1 : 1;
        return strcmp(x->s.name, y->s.name);
}

/* The students' private segments, by owner and name, their links and what
 * is attached to each (the registry's LINK_SEGMENT* records). */
static int add_segments(struct lab *lab, struct lab_view *v) {
        _cleanup_free_ struct shown_segment *shown = calloc(lab->links.n ? lab->links.n : 1, sizeof *shown);
        size_t n = 0;
        int r;

        if (!shown)
                return -ENOMEM;
        link_registry_foreach(rec, &lab->links) {
                if (rec->kind != LINK_SEGMENT || rec->dying)
                        continue;
                r = student_index(lab, v, rec->owner, NULL);
                if (r < 0)
                        continue; /* marked truncated */
                struct shown_segment *sh = &shown[n++];
                sh->ifindex = rec->ifindex;
                sh->s = (struct lab_view_segment) { .student = (uint32_t)r, .flags = rec->keep ? VMNET_SEGMENT_KEEP : 0,
                                                    .since = rec->created > 0 ? rec->created : 0 };
                snprintf(sh->s.name, sizeof sh->s.name, "%s", rec->label);
                snprintf(sh->s.bridge, sizeof sh->s.bridge, "%s", rec->name);
        }
        qsort(shown, n, sizeof *shown, by_student_and_name);
        link_registry_foreach(rec, &lab->links)
                for (size_t i = 0; rec->kind == LINK_SEGMENT_LINK && !rec->dying && i < n; i++)
                        if (shown[i].ifindex == rec->segment)
                                snprintf(shown[i].s.link, sizeof shown[i].s.link, "%s", rec->name);
        for (size_t i = 0; i < n; i++) {
                r = lab_view_add_segment(v, &shown[i].s);
                if (r < 0)
                        return r == -E2BIG ? 0 : r;
        }
        link_registry_foreach(rec, &lab->links) {
                if (!(LINK_KINDS_SEGMENT_VMS & LINK_KIND_BIT(rec->kind)) || rec->dying)
                        continue;
                for (size_t i = 0; i < v->n_segments; i++) {
                        bool gone;
                        if (shown[i].ifindex != rec->segment)
                                continue;
                        struct lab_view_segment_port p = { .segment = (uint32_t)i, .kind = view_kind(rec->kind),
                                                           .flags = link_flags_now(lab, rec, &gone) };
                        snprintf(p.name, sizeof p.name, "%s", rec->name);
                        r = gone ? 0 : lab_view_add_segment_port(v, &p); /* gone: its link event is on its way */
                        if (r == -ENOMEM)
                                return r;
                }
        }
        return 0;
}

/* The VMs: what the bridge, dnsmasq, the snapshot and the neighbour table say. */
static int add_vms(struct lab *lab, struct lab_view *v) {
        _cleanup_free_ struct fdb_sighting *fdb = NULL;
        _cleanup_free_ struct neighbour_sighting *nb = NULL;
        _cleanup_free_ struct lease *leases = NULL;
        _cleanup_free_ char *text = NULL;
        struct hosts_snapshot_file snapshot = {};
        size_t n_fdb = 0, n_nb = 0, n_leases = 0, size;
        char path[PATH_MAX + 32];
        bool complete;
        int r;

        if (fdb_read(lab->config.bridge, &fdb, &n_fdb) < 0)
                n_fdb = 0; /* no bridge: no VM behind it */
        if (read_file_whole("/proc/net/arp", READ_MAX, &text, &size) == 0)
                (void)neighbours_parse_proc_arp(text, size, lab->config.bridge, &nb, &n_nb);
        free(TAKE_PTR(text));
        snprintf(path, sizeof path, "%s/" NAMES_LEASE_FILE, lab->config.run_dir);
        /* an older dnsmasq rewrote it in place: a half line at the end is left out */
        if (read_file_whole(path, READ_MAX, &text, &size) == 0 &&
            leases_parse(text, size, v->time, &leases, &n_leases, &complete) < 0)
                n_leases = 0;
        snprintf(path, sizeof path, "%s/hosts", lab->config.run_dir);
        bool have_snapshot = hosts_snapshot_file_open(path, &snapshot) == 0;
        struct vm_sightings in = {
                .fdb = fdb, .n_fdb = n_fdb, .neighbours = nb, .n_neighbours = n_nb,
                .leases = leases, .n_leases = n_leases, .snapshot = have_snapshot ? &snapshot.view : NULL,
                .now = v->time,
        };
        r = vm_sightings_join(v, &in, &lab->views.memory);
        hosts_snapshot_file_close(&snapshot);
        return r;
}

static int draw(struct lab *lab, struct lab_view *v) {
        char address[INET_ADDRSTRLEN];
        int r;

        *v = (struct lab_view) { .time = (int64_t)time(NULL), .uplink = lab->config.uplink };
        snprintf(v->bridge, sizeof v->bridge, "%s", lab->config.bridge);
        inet_ntop(AF_INET, &lab->config.address, address, sizeof address);
        snprintf(v->address, sizeof v->address, "%s/%u", address, lab->config.prefix_len);
        snprintf(v->domain, sizeof v->domain, "%s", lab->config.domain);
        r = add_students_and_links(lab, v);
        if (r >= 0)
                r = add_segments(lab, v);
        if (r >= 0)
                r = add_vms(lab, v);
        if (r < 0)
                lab_view_clear(v);
        return r;
}

/* run_dir/lab.html, for root and the first teacher group. */
static void write_page(struct lab *lab) {
        struct strbuf page = {};
        char path[PATH_MAX + 32];
        gid_t group = lab->n_teacher_gids ? lab->teacher_gids[0] : 0;
        int r;

        snprintf(path, sizeof path, "%s/lab.html", lab->config.run_dir);
        r = lab_html_render(&lab->views.current, &page);
        if (r >= 0)
                r = write_file_atomic_group(path, page.data, page.len, 0640, group);
        if (r < 0)
                log_error_errno(r, "cannot write %s: %m", path);
        strbuf_free(&page);
}

static bool refresh(struct lab *lab) {
        struct lab_views *views = &lab->views;
        struct lab_view next;
        uint8_t *blob;
        size_t size;
        int r;

        views->dirty = false;
        r = draw(lab, &next);
        if (r < 0) {
                log_error_errno(r, "cannot draw the lab: %m");
                return false;
        }
        if (views->generation > 0 && lab_view_same_lab(&views->current, &next)) {
                lab_view_clear(&next);
                return false;
        }
        next.generation = views->generation + 1;
        r = lab_view_encode(&next, &blob, &size);
        if (r < 0) {
                log_error_errno(r, "cannot encode the lab view: %m");
                lab_view_clear(&next);
                return false;
        }
        lab_view_clear(&views->current);
        free(views->blob);
        views->current = next;
        views->blob = blob;
        views->blob_size = size;
        views->generation = next.generation;
        views->unannounced = true;
        write_page(lab);
        log_debug("lab view %llu: %zu students, %zu links, %zu VMs, %zu segments",
                  (unsigned long long)views->generation, next.n_students, next.n_links, next.n_vms, next.n_segments);
        return true;
}

bool lab_views_refresh(struct lab *lab) {
        bool changed = refresh(lab);
        /* a drawing's peak (the link dump, the fdb, the leases, the page)
         * is freed by now: back to the kernel with it, or the heap keeps
         * it (RSS 8.4 -> 7.0 MiB after a drawing at 1000 students, measured) */
        malloc_trim(0);
        return changed;
}

int lab_views_read(struct lab *lab, uid_t uid, bool all, const struct vmnet_request *req, struct vmnet_reply *rep) {
        struct lab_views *views = &lab->views;
        _cleanup_free_ uint8_t *mine = NULL;
        const uint8_t *blob;
        size_t size;

        if (views->generation == 0 || (views->dirty && req->generation == 0))
                (void)lab_views_refresh(lab); /* asked before the first was drawn, or after a change */
        if (views->generation == 0)
                return -EIO;
        if (req->generation != 0 && req->generation != views->generation)
                return -ESTALE;
        if (!all) {
                struct lab_view part;
                int r = lab_view_filter_owner(&views->current, (uint32_t)uid, &part);
                if (r < 0)
                        return r;
                r = lab_view_encode(&part, &mine, &size);
                lab_view_clear(&part);
                if (r < 0)
                        return r;
                blob = mine;
        } else {
                blob = views->blob;
                size = views->blob_size;
        }
        if (req->offset > size || (req->offset == size && size > 0))
                return -EBADMSG;
        size_t n = size - req->offset < VMNET_CHUNK_MAX ? size - req->offset : VMNET_CHUNK_MAX;
        memcpy(rep->chunk, blob + req->offset, n);
        rep->chunk_len = (uint16_t)n;
        rep->total = (uint32_t)size;
        rep->generation = views->generation;
        return 0;
}

void lab_views_clear(struct lab_views *v) {
        lab_view_clear(&v->current);
        free(v->blob);
        vm_memory_clear(&v->memory);
        *v = (struct lab_views) {};
}
