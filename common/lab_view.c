/* The lab view and its blob (see lab_view.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_buffer.h"
#include "lab_view.h"

#define MAGIC "VMNETLAB"
#define MAGIC_LEN 8

/* The fewest bytes one element takes in the blob: a count is refused
 * when the bytes left cannot hold that many, before any allocation. */
#define STUDENT_MIN (1 + 4 + 8 + 2)
#define LINK_MIN    (4 + 1 + 1 + 1 + 1 + 8)
#define VM_MIN      (6 + 4 + 1 + 1 + 1 + 4 + 4 + 1 + 8 + 8)
#define SEGMENT_MIN (4 + 1 + 1 + 1 + 1 + 8)
#define SEGMENT_PORT_MIN (4 + 1 + 1 + 1)

void lab_view_clear(struct lab_view *v) {
        free(v->students);
        free(v->links);
        free(v->vms);
        free(v->segments);
        free(v->segment_ports);
        memset(v, 0, sizeof *v);
}

/* Makes room for one more element of size elem in *array. */
static int grow(void **array, size_t *cap, size_t n, size_t elem, size_t max) {
        if (n >= max)
                return -E2BIG;
        if (n < *cap)
                return 0;
        size_t want = *cap ? *cap * 2 : 16;
        if (want > max)
                want = max;
        void *p = realloc(*array, want * elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *cap = want;
        return 0;
}

#define ADD(v, field, n_field, cap_field, max, elem)                                            \
        do {                                                                                    \
                int r_ = grow((void **)&(v)->field, &(v)->cap_field, (v)->n_field,              \
                              sizeof *(v)->field, max);                                         \
                if (r_ < 0) {                                                                   \
                        (v)->flags |= LAB_VIEW_TRUNCATED;                                       \
                        return r_;                                                              \
                }                                                                               \
                (v)->field[(v)->n_field++] = *(elem);                                           \
                return 0;                                                                       \
        } while (0)

int lab_view_add_student(struct lab_view *v, const struct lab_view_student *s) {
        ADD(v, students, n_students, cap_students, LAB_VIEW_STUDENTS_MAX, s);
}

int lab_view_add_link(struct lab_view *v, const struct lab_view_link *l) {
        ADD(v, links, n_links, cap_links, LAB_VIEW_LINKS_MAX, l);
}

int lab_view_add_vm(struct lab_view *v, const struct lab_view_vm *vm) {
        ADD(v, vms, n_vms, cap_vms, LAB_VIEW_VMS_MAX, vm);
}

int lab_view_add_segment(struct lab_view *v, const struct lab_view_segment *s) {
        ADD(v, segments, n_segments, cap_segments, LAB_VIEW_SEGMENTS_MAX, s);
}

int lab_view_add_segment_port(struct lab_view *v, const struct lab_view_segment_port *p) {
        ADD(v, segment_ports, n_segment_ports, cap_segment_ports, LAB_VIEW_SEGMENT_PORTS_MAX, p);
}

static void copy_lab_fields(const struct lab_view *v, struct lab_view *ret) {
        memset(ret, 0, sizeof *ret);
        ret->generation = v->generation;
        ret->time = v->time;
        ret->uplink = v->uplink;
        ret->flags = v->flags;
        memcpy(ret->bridge, v->bridge, sizeof ret->bridge);
        memcpy(ret->address, v->address, sizeof ret->address);
        memcpy(ret->domain, v->domain, sizeof ret->domain);
}

/* The segments of student mine (and what is on them) into out, as its
 * student 0. */
static int filter_segments(const struct lab_view *v, uint32_t mine, struct lab_view *out) {
        int r = 0;

        for (size_t i = 0; i < v->n_segments && r >= 0 && mine != LAB_VIEW_NONE; i++) {
                if (v->segments[i].student != mine)
                        continue;
                struct lab_view_segment s = v->segments[i];
                s.student = 0;
                r = lab_view_add_segment(out, &s);
                for (size_t p = 0; p < v->n_segment_ports && r >= 0; p++) {
                        struct lab_view_segment_port port = v->segment_ports[p];
                        if (port.segment != i)
                                continue;
                        port.segment = (uint32_t)(out->n_segments - 1);
                        r = lab_view_add_segment_port(out, &port);
                }
        }
        return r;
}

int lab_view_filter_owner(const struct lab_view *v, uint32_t uid, struct lab_view *ret) {
        struct lab_view out;
        uint32_t mine = LAB_VIEW_NONE, *new_index;
        int r = 0;

        /* where each of the student's links lands in the copy */
        new_index = calloc(v->n_links ? v->n_links : 1, sizeof *new_index);
        if (!new_index)
                return -ENOMEM;
        copy_lab_fields(v, &out);
        for (size_t i = 0; i < v->n_students && mine == LAB_VIEW_NONE && r >= 0; i++)
                if (v->students[i].uid == uid) {
                        mine = (uint32_t)i;
                        r = lab_view_add_student(&out, &v->students[i]);
                }
        for (size_t i = 0; i < v->n_links && r >= 0; i++) {
                new_index[i] = LAB_VIEW_NONE;
                if (v->links[i].student != mine)
                        continue;
                struct lab_view_link l = v->links[i];
                l.student = 0;
                new_index[i] = (uint32_t)out.n_links;
                r = lab_view_add_link(&out, &l);
        }
        for (size_t i = 0; i < v->n_vms && r >= 0; i++) {
                struct lab_view_vm m = v->vms[i];
                if (uid == LAB_VIEW_NONE || m.owner_uid != uid)
                        continue;
                if (m.link != LAB_VIEW_NONE)
                        m.link = m.link < v->n_links ? new_index[m.link] : LAB_VIEW_NONE;
                r = lab_view_add_vm(&out, &m);
        }
        r = r < 0 ? r : filter_segments(v, mine, &out);
        free(new_index);
        if (r < 0) {
                lab_view_clear(&out);
                return r;
        }
        *ret = out;
        return 0;
}

static void encode(const struct lab_view *v, struct byte_writer *w, bool with_clock) {
        bw_put(w, MAGIC, MAGIC_LEN);
        bw_u8(w, LAB_VIEW_VERSION);
        bw_u64(w, with_clock ? v->generation : 0);
        bw_u64(w, with_clock ? (uint64_t)v->time : 0);
        bw_u8(w, v->uplink);
        bw_u8(w, v->flags);
        bw_str(w, v->bridge, IFNAMSIZ - 1);
        bw_str(w, v->address, VMNET_ADDRESS_MAX);
        bw_str(w, v->domain, VMNET_DOMAIN_MAX);
        bw_u32(w, (uint32_t)v->n_students);
        for (size_t i = 0; i < v->n_students; i++) {
                const struct lab_view_student *s = &v->students[i];
                bw_str(w, s->user, VMNET_USER_MAX);
                bw_u32(w, s->uid);
                bw_u64(w, (uint64_t)s->since);
                bw_u16(w, s->sessions);
        }
        bw_u32(w, (uint32_t)v->n_links);
        for (size_t i = 0; i < v->n_links; i++) {
                const struct lab_view_link *l = &v->links[i];
                if (l->student >= v->n_students && !w->error)
                        w->error = -EINVAL;
                bw_u32(w, l->student);
                bw_str(w, l->name, IFNAMSIZ - 1);
                bw_str(w, l->port, IFNAMSIZ - 1);
                bw_u8(w, l->kind);
                bw_u8(w, l->flags);
                bw_u64(w, (uint64_t)l->since);
        }
        bw_u32(w, (uint32_t)v->n_vms);
        for (size_t i = 0; i < v->n_vms; i++) {
                const struct lab_view_vm *m = &v->vms[i];
                bw_put(w, m->mac, 6);
                bw_put(w, &m->addr.s_addr, 4);
                bw_u8(w, m->flags);
                bw_str(w, m->name, DNS_LABEL_MAX);
                bw_str(w, m->owner, VMNET_USER_MAX);
                bw_u32(w, m->owner_uid);
                if (m->link != LAB_VIEW_NONE && m->link >= v->n_links && !w->error)
                        w->error = -EINVAL;
                bw_u32(w, m->link);
                bw_str(w, m->port, IFNAMSIZ - 1);
                bw_u64(w, (uint64_t)m->since);
                bw_u64(w, (uint64_t)m->expiry);
        }
        bw_u32(w, (uint32_t)v->n_segments);
        for (size_t i = 0; i < v->n_segments; i++) {
                const struct lab_view_segment *s = &v->segments[i];
                if (s->student >= v->n_students && !w->error)
                        w->error = -EINVAL;
                bw_u32(w, s->student);
                bw_str(w, s->name, IFNAMSIZ - 1);
                bw_str(w, s->bridge, IFNAMSIZ - 1);
                bw_str(w, s->link, IFNAMSIZ - 1);
                bw_u8(w, s->flags);
                bw_u64(w, (uint64_t)s->since);
        }
        bw_u32(w, (uint32_t)v->n_segment_ports);
        for (size_t i = 0; i < v->n_segment_ports; i++) {
                const struct lab_view_segment_port *p = &v->segment_ports[i];
                if (p->segment >= v->n_segments && !w->error)
                        w->error = -EINVAL;
                bw_u32(w, p->segment);
                bw_str(w, p->name, IFNAMSIZ - 1);
                bw_u8(w, p->kind);
                bw_u8(w, p->flags);
        }
}

int lab_view_encode(const struct lab_view *v, uint8_t **ret_data, size_t *ret_size) {
        struct byte_writer w = { .max = LAB_VIEW_SIZE_MAX };

        encode(v, &w, true);
        if (w.error) {
                bw_free(&w);
                return w.error == -E2BIG ? -EINVAL : w.error;
        }
        *ret_data = w.data;
        *ret_size = w.size;
        return 0;
}

bool lab_view_same_lab(const struct lab_view *a, const struct lab_view *b) {
        struct byte_writer wa = { .max = LAB_VIEW_SIZE_MAX }, wb = { .max = LAB_VIEW_SIZE_MAX };
        bool same;

        encode(a, &wa, false);
        encode(b, &wb, false);
        same = !wa.error && !wb.error && wa.size == wb.size && memcmp(wa.data, wb.data, wa.size) == 0;
        bw_free(&wa);
        bw_free(&wb);
        return same;
}

/* Reads a count and allocates that many elements, after checking that the
 * bytes left can hold them. */
static void *get_array(struct byte_reader *r, size_t *ret_n, size_t max, size_t min_size, size_t elem) {
        uint32_t n = br_u32(r);
        if (r->error)
                return NULL;
        if (n > max || (size_t)n > br_left(r) / min_size) {
                r->error = -EBADMSG;
                return NULL;
        }
        *ret_n = n;
        void *p = calloc(n ? n : 1, elem);
        if (!p)
                r->error = -ENOMEM;
        return p;
}

static int64_t get_time(struct byte_reader *r) {
        uint64_t t = br_u64(r);
        if (t > LAB_VIEW_TIME_MAX && !r->error)
                r->error = -EBADMSG;
        return (int64_t)t;
}

static bool is_kind(uint8_t kind) {
        return kind >= VMNET_TAP_LOGIN && kind <= VMNET_TAP_NETNS;
}

#define TAP_FLAGS_ALL (VMNET_TAP_FLAG_CARRIER | VMNET_TAP_FLAG_UP)

/* The segments and their ports, after the VMs. */
static void get_segments(struct byte_reader *r, struct lab_view *v) {
        v->segments = get_array(r, &v->n_segments, LAB_VIEW_SEGMENTS_MAX, SEGMENT_MIN, sizeof *v->segments);
        for (size_t i = 0; !r->error && i < v->n_segments; i++) {
                struct lab_view_segment *s = &v->segments[i];
                s->student = br_u32(r);
                br_str(r, s->name, sizeof s->name);
                br_str(r, s->bridge, sizeof s->bridge);
                br_str(r, s->link, sizeof s->link);
                s->flags = br_u8(r);
                s->since = get_time(r);
                if (!r->error && (s->student >= v->n_students || (s->flags & ~VMNET_SEGMENT_FLAGS_ALL)))
                        r->error = -EBADMSG;
        }
        if (r->error)
                return;
        v->segment_ports = get_array(r, &v->n_segment_ports, LAB_VIEW_SEGMENT_PORTS_MAX, SEGMENT_PORT_MIN,
                                     sizeof *v->segment_ports);
        for (size_t i = 0; !r->error && i < v->n_segment_ports; i++) {
                struct lab_view_segment_port *p = &v->segment_ports[i];
                p->segment = br_u32(r);
                br_str(r, p->name, sizeof p->name);
                p->kind = br_u8(r);
                p->flags = br_u8(r);
                if (!r->error && (p->segment >= v->n_segments || !is_kind(p->kind) || (p->flags & ~TAP_FLAGS_ALL)))
                        r->error = -EBADMSG;
        }
}

int lab_view_decode(const uint8_t *data, size_t size, struct lab_view *ret) {
        struct byte_reader r = { .data = data, .size = size };
        struct lab_view v = {};
        const uint8_t *magic;

        if (size > LAB_VIEW_SIZE_MAX)
                return -EBADMSG;
        magic = br_get(&r, MAGIC_LEN);
        if (!magic || memcmp(magic, MAGIC, MAGIC_LEN) != 0)
                return -EBADMSG;
        if (br_u8(&r) != LAB_VIEW_VERSION)
                return r.error ? r.error : -EPROTO;
        v.generation = br_u64(&r);
        v.time = get_time(&r);
        v.uplink = br_u8(&r);
        v.flags = br_u8(&r);
        if (v.flags & ~LAB_VIEW_TRUNCATED)
                r.error = -EBADMSG;
        br_str(&r, v.bridge, sizeof v.bridge);
        br_str(&r, v.address, sizeof v.address);
        br_str(&r, v.domain, sizeof v.domain);

        v.students = get_array(&r, &v.n_students, LAB_VIEW_STUDENTS_MAX, STUDENT_MIN, sizeof *v.students);
        for (size_t i = 0; !r.error && i < v.n_students; i++) {
                struct lab_view_student *s = &v.students[i];
                br_str(&r, s->user, sizeof s->user);
                s->uid = br_u32(&r);
                s->since = get_time(&r);
                s->sessions = br_u16(&r);
        }
        v.links = get_array(&r, &v.n_links, LAB_VIEW_LINKS_MAX, LINK_MIN, sizeof *v.links);
        for (size_t i = 0; !r.error && i < v.n_links; i++) {
                struct lab_view_link *l = &v.links[i];
                l->student = br_u32(&r);
                br_str(&r, l->name, sizeof l->name);
                br_str(&r, l->port, sizeof l->port);
                l->kind = br_u8(&r);
                l->flags = br_u8(&r);
                l->since = get_time(&r);
                if (!r.error && (l->student >= v.n_students || !is_kind(l->kind) ||
                                 (l->flags & ~TAP_FLAGS_ALL)))
                        r.error = -EBADMSG;
        }
        v.vms = get_array(&r, &v.n_vms, LAB_VIEW_VMS_MAX, VM_MIN, sizeof *v.vms);
        for (size_t i = 0; !r.error && i < v.n_vms; i++) {
                struct lab_view_vm *m = &v.vms[i];
                const uint8_t *p = br_get(&r, 6);
                if (p)
                        memcpy(m->mac, p, 6);
                p = br_get(&r, 4);
                if (p)
                        memcpy(&m->addr.s_addr, p, 4);
                m->flags = br_u8(&r);
                br_str(&r, m->name, sizeof m->name);
                br_str(&r, m->owner, sizeof m->owner);
                m->owner_uid = br_u32(&r);
                m->link = br_u32(&r);
                br_str(&r, m->port, sizeof m->port);
                m->since = get_time(&r);
                m->expiry = get_time(&r);
                if (!r.error && ((m->flags & ~LAB_VM_FLAGS_ALL) ||
                                 (m->link != LAB_VIEW_NONE && m->link >= v.n_links)))
                        r.error = -EBADMSG;
        }
        if (!r.error)
                get_segments(&r, &v);
        if (!r.error && br_left(&r) != 0)
                r.error = -EBADMSG;
        if (r.error) {
                lab_view_clear(&v);
                return r.error;
        }
        v.cap_students = v.n_students;
        v.cap_links = v.n_links;
        v.cap_vms = v.n_vms;
        v.cap_segments = v.n_segments;
        v.cap_segment_ports = v.n_segment_ports;
        *ret = v;
        return 0;
}

void lab_view_format_duration(int64_t seconds, char *buf, size_t size) {
        int64_t s = seconds < 0 ? 0 : seconds;

        if (s < 60)
                snprintf(buf, size, "%lld s", (long long)s);
        else if (s < 3600)
                snprintf(buf, size, "%lld min", (long long)(s / 60));
        else if (s < 86400)
                snprintf(buf, size, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
        else
                snprintf(buf, size, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}
