#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "hosts_publish.h"
#include "leases.h"

#define LEASES_FILE_MAX   (64u << 20) /* ~300 bytes a line: far more leases than a snapshot holds */
#define READ_ATTEMPTS     8

/* The whole file; an absent one reads as empty (no lease yet). */
static int read_file(const char *path, char **ret_data, size_t *ret_size) {
        int r = read_file_whole(path, LEASES_FILE_MAX, ret_data, ret_size);
        if (r == -ENOENT) {
                *ret_data = NULL;
                *ret_size = 0;
                return 0;
        }
        return r;
}

/* Reads until two reads in a row are equal and end with a whole line. */
static int read_stable(const char *path, char **ret_data, size_t *ret_size) {
        char *prev = NULL;
        size_t prev_size = 0;
        bool have_prev = false;
        int r;

        for (unsigned attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
                char *data = NULL;
                size_t size = 0;

                if (attempt > 1) {
                        /* Let dnsmasq finish its rewrite: 1, 2, 4 ... 10 ms. */
                        unsigned ms = 1u << (attempt - 2);
                        struct timespec ts = { .tv_nsec = (long)(ms > 10 ? 10 : ms) * 1000000L };
                        nanosleep(&ts, NULL);
                }
                r = read_file(path, &data, &size);
                if (r < 0) {
                        free(prev);
                        return r;
                }
                bool whole = size == 0 || data[size - 1] == '\n';
                if (whole && have_prev && size == prev_size && (size == 0 || memcmp(data, prev, size) == 0)) {
                        free(prev);
                        *ret_data = data;
                        *ret_size = size;
                        return 0;
                }
                free(prev);
                prev = data;
                prev_size = size;
                have_prev = whole;
        }
        free(prev);
        return -EAGAIN;
}

/* What the previous snapshot published for the lease with this MAC and
 * address, or NULL.  dnsmasq lets only one lease hold a host name: when a
 * second guest claims "vm1", the first one's lease shows "*" from then
 * on.  Two students naming their VMs alike is what the per-student rule is
 * for, so a lease keeps the name it was published with as long as its MAC
 * and address stay and the lease file names it nothing else; and its owner
 * while the bridge no longer knows the MAC (a guest silent for the FDB's
 * ageing time). */
static const struct hosts_snapshot_entry *previous_entry(const struct hosts_snapshot_file *prev,
                                                         const struct lease *l) {
        size_t first, n;

        if (!prev->map)
                return NULL;
        n = hosts_snapshot_find_addr(&prev->view, l->addr, &first);
        for (size_t i = first; i < first + n; i++) {
                const struct hosts_snapshot_entry *e = &prev->view.entries[prev->view.by_addr[i]];
                if (memcmp(e->mac, l->mac, sizeof e->mac) == 0)
                        return e;
        }
        return NULL;
}

int hosts_publish(const char *leases_path, const char *snapshot_path, const char *domain,
                  hosts_owner_of_mac_t owner_of_mac, void *userdata) {
        return hosts_publish_report(leases_path, snapshot_path, domain, owner_of_mac, NULL, userdata);
}

int hosts_publish_report(const char *leases_path, const char *snapshot_path, const char *domain,
                         hosts_owner_of_mac_t owner_of_mac, hosts_lease_fn on_lease, void *userdata) {
        struct hosts_snapshot_file prev = {};
        struct hosts_snapshot_entry *entries = NULL;
        struct lease *leases = NULL;
        char *text = NULL;
        size_t text_size, n_leases, n = 0;
        uint64_t generation = 1;
        bool complete;
        int r;

        r = read_stable(leases_path, &text, &text_size);
        if (r < 0)
                return r;
        r = leases_parse(text, text_size, (int64_t)time(NULL), &leases, &n_leases, &complete);
        free(text);
        if (r < 0)
                return r;

        entries = calloc(n_leases ? n_leases : 1, sizeof *entries);
        if (!entries) {
                free(leases);
                return -ENOMEM;
        }
        /* No previous snapshot (or a broken one): generation 1, no names to keep. */
        if (hosts_snapshot_file_open(snapshot_path, &prev) >= 0)
                generation = prev.view.header->generation + 1;

        for (size_t i = 0; i < n_leases; i++) {
                const struct lease *l = &leases[i];
                const struct hosts_snapshot_entry *before = previous_entry(&prev, l);
                const char *name = l->hostname[0] ? l->hostname : before ? before->name : NULL;
                char user[HOSTS_USER_MAX + 1] = "";
                uid_t uid = (uid_t)-1;

                if (!owner_of_mac || owner_of_mac(l->mac, &uid, user, userdata) < 0) {
                        uid = before ? (uid_t)before->owner_uid : (uid_t)-1;
                        snprintf(user, sizeof user, "%s", before ? before->owner : "");
                }
                user[HOSTS_USER_MAX] = '\0'; /* whatever the callback did */
                if (on_lease)
                        on_lease(l, uid, userdata);
                if (!name)
                        continue; /* nothing to resolve it by */
                if (hosts_snapshot_entry_init(&entries[n], l->addr, l->mac, l->expiry,
                                              (uint32_t)uid, user, name) >= 0)
                        n++;
        }
        hosts_snapshot_file_close(&prev);
        free(leases);

        r = hosts_snapshot_write(snapshot_path, domain, generation, entries, n);
        free(entries);
        return r;
}
