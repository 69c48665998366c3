/* The guard at run time (see guard.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "guard.h"
#include "guard_listing.h"
#include "guard_stamp.h"
#include "log.h"
#include "login_link.h"
#include "nft.h"
#include "tap_name.h"
#include "veth.h"


static bool uid_known(const struct guard *g, uint32_t uid) {
        return guard_uid_listed(uid, g->uids, g->n_uids);
}

static int remember_uid(struct guard *g, uint32_t uid) {
        if (uid_known(g, uid))
                return 0;
        if (ARRAY_RESERVE(g->uids, g->cap_uids, g->n_uids + 1) < 0)
                return -ENOMEM;
        g->uids[g->n_uids++] = uid;
        return 0;
}

static void forget_uid(struct guard *g, uint32_t uid) {
        g->leased_known = false; /* its leased set goes with its chains */
        for (size_t i = 0; i < g->n_uids; i++)
                if (g->uids[i] == uid) {
                        g->uids[i] = g->uids[--g->n_uids];
                        return;
                }
}

/* g->ports and the lists synced to it are kept in name order: the lab
 * syncs every port on each change of the registry, and with 1000 ports
 * searching them one by one was a quarter of a login's time. */
static int name_is_port(const void *name, const void *port) {
        return strcmp(name, ((const struct guard_port *)port)->name);
}

static int by_name(const void *a, const void *b) {
        return strcmp(((const struct guard_port *)a)->name, ((const struct guard_port *)b)->name);
}

static struct guard_port *find_port(const struct guard *g, const char *name) {
        return g->n_ports ? bsearch(name, g->ports, g->n_ports, sizeof *g->ports, name_is_port) : NULL;
}

static int remember_port(struct guard *g, const char *name, uint32_t uid, bool pending) {
        struct guard_port *p = find_port(g, name);
        if (!p) {
                if (ARRAY_RESERVE(g->ports, g->cap_ports, g->n_ports + 1) < 0)
                        return -ENOMEM;
                size_t at = 0, end = g->n_ports;
                while (at < end) { /* the first port named after name */
                        size_t mid = at + (end - at) / 2;
                        if (strcmp(g->ports[mid].name, name) < 0)
                                at = mid + 1;
                        else
                                end = mid;
                }
                memmove(&g->ports[at + 1], &g->ports[at], (g->n_ports - at) * sizeof *g->ports);
                g->n_ports++;
                p = &g->ports[at];
                memset(p->mac, 0, sizeof p->mac);
        }
        snprintf(p->name, sizeof p->name, "%s", name);
        p->uid = uid;
        p->pending = pending;
        return 0;
}

/* Runs b (its error, if building it failed); quiet for failures the caller
 * handles. */
static int run(struct strbuf *b, unsigned flags) {
        int r = b->error ? b->error : nft_run(strbuf_str(b), flags, NULL);
        strbuf_free(b);
        return r;
}

/* Exam mode as run_dir/isolation says: 1 on, 0 off, -1 no word there. */
static int saved_isolation(const struct guard *g) {
        char word[16] = "";
        FILE *f = fopen(g->isolation_path, "re");
        if (!f)
                return -1;
        bool ok = fgets(word, sizeof word, f) != NULL;
        fclose(f);
        if (ok && strcmp(word, "students\n") == 0)
                return 1;
        if (ok && strcmp(word, "none\n") == 0)
                return 0;
        log_warn("ignoring %s: neither students nor none", g->isolation_path);
        return -1;
}

static void params_from_config(struct guard_params *p, const struct vmnet_config *c, const uint8_t host_mac[6]) {
        const char *u = strstr(c->tap_name, "%u");
        size_t prefix = u ? (size_t)(u - c->tap_name) : 0;

        *p = (struct guard_params) {
                .address = c->address,
                .prefix_len = c->prefix_len,
                .max_macs = c->max_macs,
                .isolation = c->isolation == VMNET_ISOLATION_STUDENTS,
        };
        memcpy(p->host_mac, host_mac, 6);
        snprintf(p->closed_prefixes[0], IFNAMSIZ, LOGIN_PEER_PREFIX);
        snprintf(p->closed_prefixes[1], IFNAMSIZ, NETNS_PORT_PREFIX);
        snprintf(p->closed_prefixes[2], IFNAMSIZ, TAP_NAME_HASHED_PREFIX);
        /* a pattern that starts with %u has no prefix of its own to close */
        if (prefix > 0)
                snprintf(p->closed_prefixes[3], IFNAMSIZ, "%.*s", (int)prefix, c->tap_name);
}

/* A student without ports whose sets have all emptied owns nothing any
 * more: their chains and sets go. */
static bool owns_nothing(const struct guard_listing *l, uint32_t uid, const struct guard *g) {
        for (size_t i = 0; i < g->n_ports; i++)
                if (g->ports[i].uid == uid)
                        return false;
        for (size_t i = 0; i < l->n_objects; i++) {
                uint32_t u;
                if ((guard_object_uid(&l->objects[i], "set", "macs_", &u) || guard_object_uid(&l->objects[i], "set", "addrs_", &u) ||
                     guard_object_uid(&l->objects[i], "set", "leased_", &u)) &&
                    u == uid && l->objects[i].n_elements > 0)
                        return false;
        }
        return true;
}

/* Builds the table: kept where it is (learned sets survive), made anew when
 * that fails or fresh is set (max_macs changed: the sets' sizes cannot).
 * l: the table as it is.  Sets *ret_kept when its rules could stay. */
static int build(struct guard *g, const struct guard_listing *l, bool fresh, bool *ret_kept) {
        struct strbuf b = {};
        char stamp[GUARD_STAMP_SIZE];
        int r = -EIO;

        g->leased_known = false; /* a table made anew has empty sets */
        guard_stamp_of(&g->params, stamp);
        /* stamped as this vmnetd would stamp it: brought up to date (guard_stamp.h) */
        *ret_kept = false;
        if (!fresh && stamp[0] && guard_stamp_listed(l, stamp)) {
                guard_stamp_bring_up_to_date(&b, &g->params, l, g->ports, g->n_ports, g->uids, g->n_uids);
                if ((*ret_kept = run(&b, NFT_RUN_QUIET) >= 0))
                        return 0;
        }
        if (!fresh) {
                guard_rules_table(&b, &g->params, g->ports, g->n_ports, g->uids, g->n_uids);
                guard_stamp_put(&b, l, stamp);
                r = run(&b, NFT_RUN_QUIET);
        }
        if (r < 0) {
                if (!fresh)
                        log_warn("guard: cannot rebuild table bridge " GUARD_TABLE " in place; making it anew "
                                 "(what it learned is forgotten)");
                guard_rules_delete_table(&b);
                guard_rules_table(&b, &g->params, g->ports, g->n_ports, g->uids, g->n_uids);
                guard_stamp_put(&b, NULL, stamp);
                r = run(&b, 0);
        }
        return r;
}

/* Takes the chains of students who own nothing any more out of the table. */
static void collect(struct guard *g, const struct guard_listing *l) {
        struct strbuf b = {};
        for (size_t i = 0; i < l->n; i++)
                if (owns_nothing(l, l->uids[i], g)) {
                        guard_rules_student_delete(&b, l->uids[i]);
                        forget_uid(g, l->uids[i]);
                }
        if (b.len > 0 && run(&b, 0) < 0)
                log_warn("guard: cannot remove the chains of students who left");
        strbuf_free(&b);
}

/* (Re)builds g's table, keeping what it learned unless fresh. */
static int apply(struct guard *g, bool fresh) {
        struct guard_listing l;
        int r = guard_listing_read(&l, g->params.max_macs);

        if (r < 0)
                log_warn("guard: cannot read table bridge " GUARD_TABLE " back: %s", strerror(-r));
        for (size_t i = 0; i < l.n && r >= 0; i++)
                r = remember_uid(g, l.uids[i]);
        for (size_t i = 0; i < g->n_ports && r >= 0; i++)
                r = remember_uid(g, g->ports[i].uid);
        bool kept = false;
        if (r >= 0)
                r = build(g, &l, fresh || l.other_size, &kept);
        if (r >= 0)
                collect(g, &l);
        guard_listing_clear(&l);
        if (r < 0) {
                log_error("guard: table bridge " GUARD_TABLE " is not in place: the lab runs unguarded");
                g->on = false;
                return r;
        }
        g->on = true;
        for (size_t i = 0; i < g->n_ports; i++)
                g->ports[i].pending = false; /* the table took every port */
        log_info("guard: table bridge %s %s: %zu ports, %zu students, max_macs %u, exam mode %s", GUARD_TABLE,
                 kept ? "kept (its rules are these)" : "set", g->n_ports, g->n_uids, g->params.max_macs,
                 g->params.isolation ? "on" : "off");
        return 0;
}

int guard_start(struct guard *g, const struct vmnet_config *config, const uint8_t host_mac[6],
                const struct guard_port *ports, size_t n_ports) {
        int r;

        snprintf(g->isolation_path, sizeof g->isolation_path, "%s/" GUARD_ISOLATION_FILE, config->run_dir);
        params_from_config(&g->params, config, host_mac);
        if (!config->guard) {
                g->on = false;
                (void)unlink(g->isolation_path);
                return guard_remove();
        }
        int saved = saved_isolation(g);
        if (saved >= 0)
                g->params.isolation = saved;
        for (size_t i = 0; i < n_ports; i++) {
                r = remember_port(g, ports[i].name, ports[i].uid, false);
                if (r < 0)
                        return r;
        }
        return apply(g, false);
}

int guard_reload(struct guard *g, const struct vmnet_config *config, const uint8_t host_mac[6]) {
        struct guard_params old = g->params;
        bool was_on = g->on;

        snprintf(g->isolation_path, sizeof g->isolation_path, "%s/" GUARD_ISOLATION_FILE, config->run_dir);
        params_from_config(&g->params, config, host_mac);
        (void)unlink(g->isolation_path); /* the config's word wins again */
        if (!config->guard) {
                g->on = false;
                if (was_on)
                        log_info("guard: off (guard = off)");
                return guard_remove();
        }
        return apply(g, g->params.max_macs != old.max_macs);
}

/* One round's port changes, as one transaction: the kernel validates the
 * whole table on each commit and libnftables reads every chain and set
 * back before each run, both O(ports); a port a run made a login cost
 * O(ports) twice, and a class of 1000 did not finish logging in. */
struct port_changes {
        struct strbuf b;
        uint32_t *new_uids;     /* students whose chains this round makes */
        size_t n_new, cap_new;
        bool any;
};

static int change_remove(struct guard *g, struct port_changes *c, struct guard_port *p) {
        struct guard_port gone = *p;
        size_t at = (size_t)(p - g->ports);

        memmove(p, p + 1, (--g->n_ports - at) * sizeof *g->ports); /* kept in name order */
        if (!gone.pending) {
                guard_rules_port(&c->b, &gone, false);
                c->any = true;
        }
        return 0;
}

static bool uid_new(const struct port_changes *c, uint32_t uid) {
        return guard_uid_listed(uid, c->new_uids, c->n_new);
}

static int change_add(struct guard *g, struct port_changes *c, const struct guard_port *want) {
        struct guard_port port = { .uid = want->uid };
        int r;

        if (!guard_port_name_ok(want->name))
                return -EINVAL;
        r = remember_port(g, want->name, want->uid, false);
        if (r < 0)
                return r;
        snprintf(port.name, sizeof port.name, "%s", want->name);
        if (!uid_known(g, port.uid) && !uid_new(c, port.uid)) {
                if (ARRAY_RESERVE(c->new_uids, c->cap_new, c->n_new + 1) < 0)
                        return -ENOMEM;
                c->new_uids[c->n_new++] = port.uid;
                guard_rules_student(&c->b, &g->params, port.uid);
        }
        guard_rules_port(&c->b, &port, true);
        c->any = true;
        return 0;
}

/* Runs the round's changes; when that fails (a stale entry of a port that
 * went while vmnetd was away, one deleted twice), the new students' chains
 * and the port maps refilled whole, in one more run. */
static int changes_commit(struct guard *g, struct port_changes *c) {
        int r = 0;

        if (c->any && g->on) {
                for (size_t i = 0; i < c->n_new && r >= 0; i++)
                        r = remember_uid(g, c->new_uids[i]);
                if (r >= 0)
                        r = run(&c->b, NFT_RUN_QUIET);
                if (r < 0) {
                        for (size_t i = 0; i < c->n_new; i++)
                                guard_rules_student(&c->b, &g->params, c->new_uids[i]);
                        guard_rules_ports_refresh(&c->b, g->ports, g->n_ports, g->uids, g->n_uids);
                        r = run(&c->b, 0);
                }
                if (r < 0) {
                        log_error("guard: cannot put the lab's ports into table bridge " GUARD_TABLE);
                        for (size_t i = 0; i < c->n_new; i++)
                                forget_uid(g, c->new_uids[i]);
                }
        }
        strbuf_free(&c->b);
        free(c->new_uids);
        return r;
}

int guard_sync_ports(struct guard *g, const struct guard_port *ports, size_t n, size_t max_new) {
        struct guard_port *want = malloc((n + 1) * sizeof *want);
        struct port_changes c = {};
        int r = 0;

        if (!want)
                return -ENOMEM;
        memcpy(want, ports, n * sizeof *want);
        qsort(want, n, sizeof *want, by_name);
        for (size_t i = g->n_ports; i-- > 0;) {
                struct guard_port *p = &g->ports[i];
                const struct guard_port *w = n ? bsearch(p->name, want, n, sizeof *want, name_is_port) : NULL;
                if (!w || w->uid != p->uid)
                        (void)change_remove(g, &c, p);
        }
        g->ports_left = false;
        for (size_t j = 0; j < n; j++) {
                const struct guard_port *p = find_port(g, want[j].name);
                if (p && p->uid == want[j].uid && !p->pending)
                        continue;
                if (g->on && c.n_new >= max_new && !uid_known(g, want[j].uid) &&
                    !uid_new(&c, want[j].uid)) {
                        /* the next sync's; watched from now on (its address
                         * changed before then must not count as its first) */
                        g->ports_left = true;
                        if (guard_port_name_ok(want[j].name) && remember_port(g, want[j].name, want[j].uid, true) < 0 &&
                            r == 0)
                                r = -ENOMEM;
                        continue;
                }
                int k = change_add(g, &c, &want[j]);
                if (k < 0 && r == 0)
                        r = k;
        }
        free(want);
        int k = changes_commit(g, &c);
        if (k < 0)
                g->ports_left = false; /* not again at once: at the next change (logged) */
        return r < 0 ? r : k;
}

/* Is the element in the set?  (nft's "get element" fails for one that is not.) */
static bool in_set(const char *set, const uint8_t mac[6]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "get element bridge " GUARD_TABLE " %s { 0x%02x%02x%02x%02x%02x%02x }", set, mac[0],
                 mac[1], mac[2], mac[3], mac[4], mac[5]);
        return nft_run(cmd, NFT_RUN_QUIET, NULL) == 0;
}

int guard_port_watch(struct guard *g, const char *name, uint32_t uid) {
        if (find_port(g, name) || !guard_port_name_ok(name))
                return 0;
        return remember_port(g, name, uid, g->on);
}

bool guard_port_owner(const struct guard *g, const char *name, uint32_t *ret_uid) {
        const struct guard_port *p = find_port(g, name);
        if (p)
                *ret_uid = p->uid;
        return p != NULL;
}

bool guard_port_address_known(const struct guard *g, const char *port) {
        static const uint8_t none[6];
        const struct guard_port *p = find_port(g, port);
        return p && memcmp(p->mac, none, 6) != 0;
}

bool guard_port_address_stolen(struct guard *g, const char *port, const uint8_t mac[6]) {
        static const uint8_t none[6];
        struct guard_port *p = find_port(g, port);
        char own[32];

        if (!p || memcmp(p->mac, mac, 6) == 0)
                return false;
        bool first = memcmp(p->mac, none, 6) == 0;
        memcpy(p->mac, mac, 6);
        if (first || !g->on)
                return false;
        if (memcmp(mac, g->params.host_mac, 6) == 0)
                return true;
        snprintf(own, sizeof own, "macs_%u", (unsigned)p->uid);
        return (in_set("macs", mac) || in_set("trusted_macs", mac)) && !in_set(own, mac);
}

int guard_set_isolation(struct guard *g, bool on) {
        struct strbuf b = {};
        int r;

        if (!g->on)
                return -ENOTCONN;
        guard_rules_isolation(&b, &g->params, on, g->uids, g->n_uids);
        r = run(&b, 0);
        if (r < 0)
                return r;
        g->params.isolation = on;
        /* a restart keeps the teacher's word; the next reload the config's */
        FILE *f = fopen(g->isolation_path, "we");
        if (!f || fprintf(f, "%s\n", on ? "students" : "none") < 0 || fclose(f) != 0)
                log_warn("cannot write %s: a restart will forget that exam mode is %s", g->isolation_path,
                         on ? "on" : "off");
        return 0;
}

bool guard_isolation(const struct guard *g) {
        return g->on && g->params.isolation;
}

void guard_leases(struct guard *g, const struct guard_lease *leases, size_t n) {
        int64_t now = (int64_t)time(NULL);
        struct guard_lease *kept;
        struct strbuf b = {};
        size_t n_kept;
        int r = -EAGAIN;

        if (!g->on)
                return;
        kept = malloc((n ? n : 1) * sizeof *kept);
        if (!kept) {
                log_warn("guard: the leased addresses are not in table bridge " GUARD_TABLE ": out of memory");
                return;
        }
        n_kept = guard_rules_leases_kept(leases, n, g->uids, g->n_uids, now, kept);
        /* only what changed; all anew when the sets are not known or that
         * fails (a lease the kernel timed out just now, say) */
        if (g->leased_known) {
                guard_rules_leases_change(&b, g->leased, g->n_leased, kept, n_kept, now);
                r = b.len == 0 && !b.error ? 0 : run(&b, NFT_RUN_QUIET);
        }
        if (r < 0) {
                strbuf_free(&b);
                guard_rules_leases(&b, kept, n_kept, g->uids, g->n_uids, now);
                r = run(&b, 0);
        }
        strbuf_free(&b);
        if (r < 0) {
                log_warn("guard: the leased addresses are not in table bridge " GUARD_TABLE);
                free(kept);
                kept = NULL, n_kept = 0;
        }
        free(g->leased);
        g->leased = kept;
        g->n_leased = n_kept;
        g->leased_known = r >= 0;
}

void guard_stop(struct guard *g) {
        free(g->leased);
        free(g->ports);
        free(g->uids);
        free(g->drops);
        *g = (struct guard) {};
}

int guard_remove(void) {
        struct strbuf b = {};
        guard_rules_delete_table(&b);
        return run(&b, 0);
}
