/* login_pool: login links made ahead of the logins that take them (see
 * lab.h).  A login link costs the kernel most of a login (a veth pair, a
 * bridge port: tests/bench/sessions); one from the pool costs a rename.
 * A pooled link is a pair vmnetd made for no one (owner 0): its student's
 * end down and named LOGIN_POOL_PREFIX N, its bridge end on the lab
 * bridge without carrier.  Taking one turns both records into a
 * student's login link at once, in memory and in the state file; a link
 * is taken only while its record is still a pool's, so no two students
 * ever get the same one. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "clock.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "state.h"
#include "strbuf.h"

/* After a link could not be made ahead, the next try waits this long. */
#define POOL_RETRY_MS 10000
/* While requests keep coming, a link is made ahead at most this often: a
 * class that never pauses takes the pool's links and new ones, and the
 * pool fills at its first pause (tests/bench/sessions: a link made in
 * the middle of a class held up the logins behind it). */
#define POOL_BUSY_MS 1000
/* A bridge has ports 1 to 1023.  The pool leaves this many of them free
 * for what needs a port of its own (VM taps, containers): a login never
 * does while the pool has a link. */
#define BRIDGE_PORTS_MAX 1023
#define POOL_PORTS_SPARE 64

/* (a pool's records are no one's: owner 0) */
static size_t pool_size(const struct lab *lab) {
        return link_registry_count_kinds(&lab->links, LINK_KIND_BIT(LINK_POOL), false);
}

static size_t ports_used(const struct lab *lab) {
        return link_registry_count_kinds(&lab->links, LINK_KINDS_PORTS | LINK_KIND_BIT(LINK_POOL_PEER), true);
}

bool lab_pool_wants(const struct lab *lab) {
        /* asked on every round of the event loop: the counting only with a pool */
        if (lab->config.login_pool == 0 || lab->bridge_ifindex <= 0 || now_ms() < lab->pool_retry_at_ms)
                return false;
        return pool_size(lab) < lab->config.login_pool && ports_used(lab) + POOL_PORTS_SPARE < BRIDGE_PORTS_MAX;
}

long long lab_pool_fill_at(const struct lab *lab, long long quiet_at) {
        if (!lab_pool_wants(lab))
                return -1;
        long long busy_at = lab->pool_filled_ms + POOL_BUSY_MS;
        return quiet_at < busy_at ? quiet_at : busy_at;
}

/* Records a pair as given (kinds and owner), the state's records onto
 * change; false (nothing recorded) if the registry cannot hold them. */
static bool record_pair(struct lab *lab, const struct link_record *a, const struct link_record *b,
                        struct strbuf *change) {
        if (link_registry_add(&lab->links, a) < 0)
                return false;
        if (link_registry_add(&lab->links, b) < 0) {
                link_registry_remove(&lab->links, a->ifindex);
                return false;
        }
        /* the registry's copies: they say when the links were made */
        state_put_link(change, link_registry_by_ifindex(&lab->links, a->ifindex));
        state_put_link(change, link_registry_by_ifindex(&lab->links, b->ifindex));
        return true;
}

void lab_pool_fill_one(struct lab *lab) {
        struct kernel_link student_end, bridge_end;
        struct strbuf change = {};
        int r = lab->ops->pool_link_create(lab, &student_end, &bridge_end);

        lab->pool_filled_ms = now_ms();
        if (r < 0) {
                lab->pool_retry_at_ms = now_ms() + POOL_RETRY_MS;
                log_error_errno(r, "cannot make a login link ahead (login_pool): %m; trying again in %d s",
                                POOL_RETRY_MS / 1000);
                return;
        }
        struct link_record a = { .ifindex = student_end.ifindex, .kind = LINK_POOL, .peer_ifindex = bridge_end.ifindex };
        struct link_record b = { .ifindex = bridge_end.ifindex, .kind = LINK_POOL_PEER, .peer_ifindex = student_end.ifindex };
        strcpy(a.name, student_end.name);
        strcpy(b.name, bridge_end.name);
        if (!record_pair(lab, &a, &b, &change)) {
                /* unrecorded, it would never be removed */
                (void)lab->ops->links_delete(lab, &a.ifindex, 1);
                lab->pool_retry_at_ms = now_ms() + POOL_RETRY_MS;
                log_error("cannot record %s: out of memory", a.name);
        }
        lab_save_change(lab, &change);
}

/* A pool link that could not be handed out goes at once, not with the next
 * deletions: its port may have failed to open AFTER the rename, and then it
 * holds the student's name, which the new link made for the login needs
 * (-ENOENT: make one).  error: what the hand-out failed with. */
static int drop_unhanded(struct lab *lab, struct link_record *rec, const struct student *st, int error,
                         struct strbuf *change) {
        char name[IFNAMSIZ];
        int ifindex = rec->ifindex;

        strcpy(name, rec->name);
        if (lab->ops->links_delete(lab, &ifindex, 1) <= 0) {
                /* it may keep the name: a new link could not have it */
                link_registry_set_dying(&lab->links, rec, true);
                log_warn_errno(error, "cannot hand %s out as %s: %m; nor delete it (it goes later)", name,
                               st->login_tap);
                return error;
        }
        log_warn_errno(error, "cannot hand %s out: %m; deleted, and %s gets a new link", name, st->login_tap);
        lab_forget_link(lab, ifindex, change);
        return -ENOENT;
}

int lab_pool_take(struct lab *lab, const struct student *st, struct strbuf *change) {
        struct link_record *rec = NULL;

        if (pool_size(lab) == 0)
                return -ENOENT; /* (every login asks: no walk through the records for none) */
        link_registry_foreach(p, &lab->links)
                if (p->kind == LINK_POOL && !p->dying && link_registry_by_ifindex(&lab->links, p->peer_ifindex)) {
                        rec = p;
                        break;
                }
        if (!rec)
                return -ENOENT;
        int r = lab->ops->pool_link_hand_out(lab, rec->ifindex, rec->peer_ifindex, st->login_tap);
        if (r == -EEXIST)
                return r; /* someone else's link has the name: no link of ours helps */
        if (r < 0)
                return drop_unhanded(lab, rec, st, r, change);
        /* the kernel's link is the student's now: so are both records */
        struct link_record a = *rec, b = *link_registry_by_ifindex(&lab->links, rec->peer_ifindex);
        log_debug("%s handed out as %s", a.name, st->login_tap);
        link_registry_remove(&lab->links, a.ifindex);
        link_registry_remove(&lab->links, b.ifindex);
        a.kind = LINK_LOGIN;
        b.kind = LINK_LOGIN_PEER;
        a.owner = b.owner = st->user.uid;
        a.created = b.created = 0; /* the student's from now on (link_registry_add says when) */
        strcpy(a.name, st->login_tap);
        /* the two records just removed left their room: adding them back cannot fail */
        (void)record_pair(lab, &a, &b, change);
        return 0;
}

void lab_pool_apply(struct lab *lab, const struct kernel_view *k) {
        size_t kept = 0;

        link_registry_foreach(rec, &lab->links) {
                if (rec->dying || (rec->kind != LINK_POOL && rec->kind != LINK_POOL_PEER))
                        continue;
                const struct link_record *pair = link_registry_by_ifindex(&lab->links, rec->peer_ifindex);
                if (rec->kind == LINK_POOL_PEER) {
                        if (!pair) {
                                log_info("%s was being handed out when vmnetd stopped: it goes", rec->name);
                                link_registry_set_dying(&lab->links, rec, true);
                        }
                        continue;
                }
                const struct kernel_link *port = pair ? kernel_view_by_ifindex(k, pair->ifindex) : NULL;
                if (!port || port->master != lab->bridge_ifindex || kept >= lab->config.login_pool)
                        link_registry_set_dying(&lab->links, rec, true);
                else
                        kept++;
        }
}
