/* Loading, changing and writing the lab's names (see names_publish.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "client.h"
#include "files.h"
#include "hosts_snapshot.h"
#include "lease_store.h"
#include "names_publish.h"
#include "names_say.h"

#define OWNER_TIMEOUT_MS 1000 /* vmnetd answers from memory; a stuck one must not hold DHCP up */

/* vmnetd tells whose link the MAC is behind (OWNER); unknown when it
 * cannot.  The name is copied into user (VMNET_USER_MAX + 1 bytes). */
static struct names_owner ask_owner(const struct names_context *c, const uint8_t mac[6], char *user) {
        struct vmnet_request req = { .type = VMNET_MSG_OWNER };
        struct vmnet_reply rep;
        struct names_owner o = { .uid = HOSTS_OWNER_UNKNOWN, .user = "" };
        int r;

        memcpy(req.mac, mac, sizeof req.mac);
        r = vmnet_client_request(c->socket_path, &req, &rep, NULL, OWNER_TIMEOUT_MS);
        if (r < 0 || rep.status != VMNET_OK) {
                fprintf(stderr, "vmnet-names: vmnetd did not say whose VM this is (%s): its name waits for "
                        "the next renewal\n", r < 0 ? strerror(-r) : vmnet_status_string(rep.status));
                return o;
        }
        if (rep.owner_uid != VMNET_OWNER_UNKNOWN) {
                strcpy(user, rep.user);
                o = (struct names_owner) { .uid = rep.owner_uid, .user = user };
        }
        return o;
}

static int lock_names(const char *run_dir) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/names.lock", run_dir) < 0)
                return -ENOMEM;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return names_say(-errno, "cannot open", path);
        if (flock(fd, LOCK_EX) < 0) {
                int r = names_say(-errno, "cannot lock", path);
                close(fd);
                return r;
        }
        return fd;
}

/* The table as the snapshot at path has it (empty when there is none
 * yet, or none that can be read) into *ret, and in *ret_generation the
 * generation the next snapshot gets.  The snapshot stays open in *prev
 * (prev->view.header NULL when there is none), to be compared with. */
static int load_names(const char *path, struct hosts_snapshot_file *prev, struct names_table *ret,
                      uint64_t *ret_generation) {
        int r;

        *ret_generation = 1;
        r = hosts_snapshot_file_open(path, prev);
        if (r == -ENOENT)
                return 0; /* the lab's first name */
        if (r < 0) {
                names_say(r, "starts anew: cannot read", path);
                return 0;
        }
        *ret_generation = prev->view.header->generation + 1;
        return names_table_load(ret, &prev->view);
}

/* Whether the snapshot prev can stay as it is with table t: it is there,
 * of this domain, and holds t. */
static bool snapshot_holds(const struct hosts_snapshot_file *prev, const char *domain, const struct names_table *t) {
        return prev->view.header && strcmp(prev->view.header->domain, domain) == 0 &&
               names_table_is_snapshot(t, &prev->view);
}

/* dnsmasq's records, a file a shard (names_table.h), each replaced only
 * when its text changed: dnsmasq rereads a file on every replace. */
static int write_dns_hosts(const char *run_dir, const struct names_table *t, const char *domain) {
        struct strbuf shards[NAMES_DNS_SHARDS];
        char path[PATH_MAX];
        int r;

        r = names_table_dns_hosts(t, domain, shards);
        if (r < 0)
                return r;
        for (unsigned k = 0; k < NAMES_DNS_SHARDS && r >= 0; k++) {
                snprintf(path, sizeof path, "%s/" NAMES_DNS_DIR "/hosts-%x", run_dir, k);
                r = write_file_atomic_if_changed(path, strbuf_str(&shards[k]), shards[k].len, 0644);
                if (r < 0)
                        names_say(r, "cannot write", path);
        }
        names_dns_shards_free(shards);
        return r;
}

int names_publish(const struct names_context *c, const struct lease_event *ev) {
        _cleanup_free_ char *snapshot_path = NULL;
        struct hosts_snapshot_file prev = {};
        struct names_table table = {};
        struct names_owner owner = { .uid = HOSTS_OWNER_UNKNOWN, .user = "" };
        char user[VMNET_USER_MAX + 1];
        int64_t now = (int64_t)time(NULL);
        uint64_t generation;
        int lock_fd, r, recorded;

        if (asprintf(&snapshot_path, "%s/hosts", c->run_dir) < 0)
                return -ENOMEM;
        /* asked before the lock: vmnetd may take its time */
        if (ev->action != LEASE_DEL)
                owner = ask_owner(c, ev->mac, user);
        lock_fd = lock_names(c->run_dir);
        if (lock_fd < 0)
                return lock_fd;
        r = load_names(snapshot_path, &prev, &table, &generation);
        if (r >= 0)
                r = names_table_apply(&table, ev, &owner, &c->reserved, now);
        /* Only what changed is written.  dnsmasq's start tells every lease
         * it knew again ("old"): a table that stayed the same writes
         * nothing (rendering dnsmasq's records was 40 % of such a run at
         * 10,000 names).  A renewal changes the expiry alone, which the
         * snapshot keeps (a name is not answered past it) but dnsmasq's
         * records do not: each records file is replaced only when its text
         * changed, and all are rendered with every change of the table, so
         * one that could not be written is put right by the next. */
        if (r >= 0 && !snapshot_holds(&prev, c->domain, &table)) {
                r = hosts_snapshot_write(snapshot_path, c->domain, generation, table.v, table.n);
                if (r < 0)
                        names_say(r, "cannot write", snapshot_path);
                if (r >= 0)
                        r = write_dns_hosts(c->run_dir, &table, c->domain);
        }
        /* the lease after its name, which waits for no lease file; and
         * even when the names failed: dnsmasq's next start needs it */
        recorded = lease_store_record(c->run_dir, ev, now);
        if (r >= 0)
                r = recorded;
        names_table_clear(&table);
        hosts_snapshot_file_close(&prev);
        close(lock_fd);
        return r < 0 ? r : 0;
}
