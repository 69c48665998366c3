/* Private segments (see lab.h): a student's bridges of their own, with
 * their link for VirtualBox and VMware, the taps of their QEMU and libvirt
 * VMs and the links of their containers; within max_segments; gone with
 * the student's last session unless kept.  Everything is answered from the
 * registry: a segment is the LINK_SEGMENT record of its bridge, and what is
 * on it names that bridge (link_record.segment). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "segment.h"
#include "segment_name.h"
#include "segment_seal.h"
#include "state.h"

const struct link_record *lab_segment_of(const struct lab *lab, uid_t uid, const char *name) {
        if (segment_name_problem(name))
                return NULL;
        return link_registry_segment(&lab->links, uid, name);
}

/* The segment's link for VirtualBox and VMware (the student's end). */
static const struct link_record *segment_link(const struct lab *lab, const struct link_record *seg) {
        link_registry_foreach(rec, &lab->links)
                if (rec->kind == LINK_SEGMENT_LINK && rec->segment == seg->ifindex)
                        return rec;
        return NULL;
}

static bool has_session(const struct lab *lab, uid_t uid) {
        for (size_t i = 0; i < lab->students.n; i++)
                if (lab->students.v[i]->user.uid == uid)
                        return true;
        return false;
}

void lab_retire_segment(struct lab *lab, struct link_record *seg) {
        int bridge = seg->ifindex;

        link_registry_set_dying(&lab->links, seg, true);
        link_registry_foreach(rec, &lab->links)
                if (rec->segment == bridge && !rec->dying)
                        link_registry_set_dying(&lab->links, rec, true); /* a pair's other end along */
}

void lab_retire_stray_segments(struct lab *lab, bool sessions_known) {
        link_registry_foreach(rec, &lab->links) {
                if (rec->kind != LINK_SEGMENT || rec->dying || rec->keep || !sessions_known ||
                    has_session(lab, rec->owner))
                        continue;
                log_info("segment %s of uid %u goes: no session of its owner's, and not kept", rec->label,
                         (unsigned)rec->owner);
                lab_retire_segment(lab, rec);
        }
        link_registry_foreach(rec, &lab->links) {
                if (!rec->segment || rec->dying)
                        continue;
                const struct link_record *seg = link_registry_by_ifindex(&lab->links, rec->segment);
                if (seg && seg->kind == LINK_SEGMENT && !seg->dying)
                        continue;
                log_info("removing %s, whose segment is gone", rec->name);
                link_registry_set_dying(&lab->links, rec, true);
        }
}

/* The seal in place, before the first segment is made or adopted; it
 * stays (recorded for --down) once made.  The table survives vmnetd's
 * restarts; it is put in again anyway, as a restart reapplies its firewall. */
static int seal(struct lab *lab) {
        if (lab->segments_sealed)
                return 0;
        int r = lab->ops->segments_seal(lab);
        if (r < 0)
                return log_error_errno(r, "the tables vmnet_segments are not in place: %m; no private "
                                       "segment is made or kept (it would reach the host)");
        lab->segments_sealed = true;
        for (size_t i = 0; i < SEGMENT_SEAL_TABLES; i++)
                lab_table_made(lab, segment_seal_tables[i]);
        return 0;
}

void lab_adopt_segments(struct lab *lab) {
        bool sealed = false;

        link_registry_foreach(seg, &lab->links) {
                if (seg->kind != LINK_SEGMENT || seg->dying)
                        continue;
                if (!sealed && seal(lab) < 0) {
                        lab_retire_segment(lab, seg);
                        continue;
                }
                sealed = true;
                const struct link_record *link = segment_link(lab, seg);
                int r = link ? lab->ops->segment_plug(lab, seg->ifindex, link->ifindex, link->peer_ifindex) : -ENODEV;
                if (r < 0) {
                        log_warn_errno(r, "segment %s of uid %u cannot be taken back, it goes: %m", seg->label,
                                       (unsigned)seg->owner);
                        lab_retire_segment(lab, seg);
                        continue;
                }
                log_info("adopted segment %s of uid %u: %s, %s%s", seg->label, (unsigned)seg->owner, seg->name,
                         link->name, seg->keep ? ", kept" : "");
        }
}

/* A name vmnetd derived for this segment is free, or will be once links
 * waiting for deletion are gone (the same segment, deleted at a logout a
 * moment ago).  -EADDRINUSE when another record has it: two (user,
 * segment) pairs whose 40-bit hashes meet never share a link. */
static int name_free(struct lab *lab, const char *name, const struct user_info *user, const char *segment) {
        const struct link_record *rec;

        while ((rec = link_registry_by_name(&lab->links, name, 0)) && rec->dying && lab_has_deletions(lab))
                lab_flush_deletions(lab);
        if (rec)
                return log_error_errno(EADDRINUSE, "%s's segment %s would be %s, which vmnetd has for uid %u", user->name,
                                       segment, name, (unsigned)rec->owner);
        return 0;
}

/* Records a segment vmnetd just made; undoes it if it cannot. */
static int record_segment(struct lab *lab, const struct user_info *user, const char *name, bool keep,
                          const struct kernel_link *bridge, const struct kernel_link *link,
                          const struct kernel_link *peer) {
        struct link_record recs[3] = {
                { .ifindex = bridge->ifindex, .kind = LINK_SEGMENT, .owner = user->uid, .keep = keep },
                { .ifindex = link->ifindex, .kind = LINK_SEGMENT_LINK, .owner = user->uid,
                  .peer_ifindex = peer->ifindex, .segment = bridge->ifindex },
                { .ifindex = peer->ifindex, .kind = LINK_SEGMENT_PEER, .owner = user->uid,
                  .peer_ifindex = link->ifindex, .segment = bridge->ifindex },
        };
        size_t added = 0;
        int r = 0;

        strcpy(recs[0].label, name);
        strcpy(recs[0].name, bridge->name);
        strcpy(recs[1].name, link->name);
        strcpy(recs[2].name, peer->name);
        for (; added < 3 && r >= 0; added++)
                r = link_registry_add(&lab->links, &recs[added]);
        if (r < 0) {
                /* unrecorded, they would never be removed: remove them now */
                for (size_t i = 0; i + 1 < added; i++)
                        link_registry_remove(&lab->links, recs[i].ifindex);
                const int both[] = { bridge->ifindex, link->ifindex }; /* the peer goes with the link */
                (void)lab->ops->links_delete(lab, both, 2);
                return log_error_errno(r, "cannot record segment %s of %s: %m", name, user->name);
        }
        struct strbuf change = {};
        for (size_t i = 0; i < 3; i++) /* as recorded: with when they were made */
                state_put_link(&change, link_registry_by_ifindex(&lab->links, recs[i].ifindex));
        lab_save_change(lab, &change);
        return 0;
}

int lab_segment_add(struct lab *lab, const struct user_info *user, const char *name, bool keep,
                    char ret_link[IFNAMSIZ], char ret_bridge[IFNAMSIZ]) {
        struct kernel_link bridge, link, peer;
        char bridge_name[IFNAMSIZ], link_name[IFNAMSIZ];
        int r;

        /* br=NAME of the bridge helper means the lab when it is the lab's */
        if (segment_name_problem(name) || strcmp(name, lab->config.bridge) == 0)
                return -EBADMSG;
        if (!lab->ops->user_is_allowed(lab, user))
                return -EPERM;
        if (lab_segment_of(lab, user->uid, name))
                return -EALREADY;
        if (link_registry_count(&lab->links, user->uid, LINK_KIND_BIT(LINK_SEGMENT)) >= lab->config.max_segments) {
                log_info("segment %s for %s refused: max_segments (%u) reached", name, user->name,
                         lab->config.max_segments);
                return -ENOSPC;
        }
        r = seal(lab);
        if (r < 0)
                return r;
        if (segment_bridge_name(user->name, name, bridge_name) < 0 || segment_link_name(user->name, name, link_name) < 0)
                return -EBADMSG; /* never: the name is valid */
        r = name_free(lab, bridge_name, user, name);
        if (r >= 0)
                r = name_free(lab, link_name, user, name);
        if (r < 0)
                return r;
        r = lab->ops->segment_create(lab, bridge_name, link_name, &bridge, &link, &peer);
        if (r == -EEXIST)
                /* not the student's "you have one" (that was asked above) */
                return log_error_errno(EADDRINUSE, "%s or %s exists but vmnetd did not make it: not touching it",
                                       bridge_name, link_name);
        if (r < 0)
                return log_error_errno(r, "cannot make segment %s for %s: %m", name, user->name);
        r = record_segment(lab, user, name, keep, &bridge, &link, &peer);
        if (r < 0)
                return r;
        log_info("segment %s of %s: bridge %s, link %s%s", name, user->name, bridge.name, link.name,
                 keep ? ", kept after the last session" : "");
        strcpy(ret_link, link.name);
        strcpy(ret_bridge, bridge.name);
        return 0;
}

int lab_segment_del(struct lab *lab, const struct user_info *user, const char *name) {
        const struct link_record *seg, *link;
        size_t vms;

        if (segment_name_problem(name))
                return -EBADMSG;
        /* only a segment of the caller's own; any other name gets the same refusal */
        seg = lab_segment_of(lab, user->uid, name);
        if (!seg)
                return -EPERM;
        vms = link_registry_count_on(&lab->links, seg->ifindex, LINK_KINDS_SEGMENT_VMS);
        if (vms > 0) {
                log_info("segment %s of %s stays: %zu VMs or containers are attached", name, user->name, vms);
                return -ENOTEMPTY;
        }
        link = segment_link(lab, seg);
        int gone[2] = { seg->ifindex, link ? link->ifindex : 0 }; /* the link's peer goes with it */
        int r = lab->ops->links_delete(lab, gone, link ? 2 : 1);
        if (r < 0)
                return r; /* logged by links_delete */
        struct strbuf change = {};
        for (size_t i = 0; i < 2; i++)
                lab_forget_link(lab, gone[i], &change);
        lab_save_change(lab, &change);
        log_info("segment %s of %s deleted", name, user->name);
        return 0;
}

/* Makes a VM's tap with the next free segment port name. */
struct tap_try {
        struct lab *lab;
        uid_t owner;
        const struct tap_features *features;
        int bridge_ifindex;
        int fd, ifindex;
};

static int try_tap(const char *name, void *userdata) {
        struct tap_try *t = userdata;

        if (link_registry_by_name(&t->lab->links, name, 0))
                return -EEXIST; /* ours already, maybe on its way out */
        return t->lab->ops->tap_create(t->lab, name, t->owner, false, t->features, t->bridge_ifindex, &t->fd,
                                       &t->ifindex);
}

int lab_segment_vm_tap(struct lab *lab, const struct user_info *user, const struct link_record *seg, uint8_t want,
                       char ret_tap[IFNAMSIZ], int *ret_fd) {
        const struct tap_features features = { .vnet_hdr = want & VMNET_TAP_WANT_VNET_HDR };
        struct tap_try t = { lab, user->uid, &features, seg->ifindex, -1, 0 };
        char name[IFNAMSIZ], label[IFNAMSIZ];
        int r;

        if (lab_quota_reached(lab, user->uid))
                return -EDQUOT;
        strcpy(label, seg->label); /* seg points into the registry, which the record may move */
        r = segment_port_take(try_tap, &t, name);
        if (r < 0)
                return log_error_errno(r, "cannot make a tap on segment %s for %s: %m", label, user->name);
        _cleanup_close_ int fd = t.fd;
        struct link_record rec = { .ifindex = t.ifindex, .kind = LINK_SEGMENT_TAP, .owner = user->uid,
                                   .segment = t.bridge_ifindex };
        strcpy(rec.name, name);
        r = lab_record_link(lab, &rec);
        if (r < 0)
                return r;
        log_info("VM tap %s for %s on segment %s%s", name, user->name, label,
                 features.vnet_hdr ? ", vnet header" : "");
        strcpy(ret_tap, name);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int by_label(const void *a, const void *b) {
        const struct vmnet_segment_info *x = a, *y = b;
        return strcmp(x->name, y->name);
}

int lab_segment_list(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret) {
        int bridges[VMNET_SEGMENTS_MAX];

        ret->max_segments = lab->config.max_segments;
        ret->n_segments = 0;
        link_registry_foreach(seg, &lab->links) {
                if (seg->kind != LINK_SEGMENT || seg->owner != user->uid || seg->dying ||
                    ret->n_segments == VMNET_SEGMENTS_MAX)
                        continue;
                struct vmnet_segment_info *s = &ret->segments[ret->n_segments++];
                const struct link_record *link = segment_link(lab, seg);
                strcpy(s->name, seg->label);
                strcpy(s->bridge, seg->name);
                strcpy(s->link, link ? link->name : "");
                s->flags = seg->keep ? VMNET_SEGMENT_KEEP : 0;
        }
        qsort(ret->segments, ret->n_segments, sizeof ret->segments[0], by_label);
        for (unsigned i = 0; i < ret->n_segments; i++)
                bridges[i] = lab_segment_of(lab, user->uid, ret->segments[i].name)->ifindex;

        ret->n_segment_ports = 0;
        link_registry_foreach(rec, &lab->links) {
                struct kernel_link k;
                if (!(LINK_KINDS_SEGMENT_VMS & LINK_KIND_BIT(rec->kind)) || rec->owner != user->uid || rec->dying ||
                    ret->n_segment_ports == VMNET_TAPS_MAX || lab->ops->link_get(lab, rec->ifindex, &k) < 0)
                        continue;
                for (unsigned i = 0; i < ret->n_segments; i++) {
                        if (bridges[i] != rec->segment)
                                continue;
                        struct vmnet_segment_port *p = &ret->segment_ports[ret->n_segment_ports++];
                        strcpy(p->name, rec->name);
                        p->segment = (uint8_t)i;
                        p->kind = link_kind_info(rec->kind)->reported_as;
                        p->flags = (k.flags & IFF_LOWER_UP ? VMNET_TAP_FLAG_CARRIER : 0) |
                                   (k.flags & IFF_UP ? VMNET_TAP_FLAG_UP : 0);
                }
        }
        return 0;
}
