/* The leases and their owners, for the guard (see lease_owners.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "files.h"
#include "lease_owners.h"
#include "leases.h"

#define LEASES_FILE_MAX (64u << 20) /* ~300 bytes a line: far more leases than a lab has */
#define READ_ATTEMPTS   8

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

/* By address (network order is as good as any), then MAC. */
static int compare_owners(const void *a, const void *b) {
        const struct lease_owner *x = a, *y = b;
        if (x->addr.s_addr != y->addr.s_addr)
                return x->addr.s_addr < y->addr.s_addr ? -1 : 1;
        return memcmp(x->mac, y->mac, sizeof x->mac);
}

/* The owner the last reading found for this MAC and address, or -1. */
static int64_t known_owner(const struct lease_owners *o, const struct lease *l) {
        struct lease_owner key = { .addr = l->addr };
        memcpy(key.mac, l->mac, sizeof key.mac);
        const struct lease_owner *found = o->n ? bsearch(&key, o->v, o->n, sizeof *o->v, compare_owners) : NULL;
        return found ? (int64_t)found->uid : -1;
}

int lease_owners_read(struct lease_owners *o, const char *path, lease_owner_fn owner_of_mac, void *userdata,
                      struct guard_lease **ret, size_t *ret_n) {
        struct lease *leases = NULL;
        char *text = NULL;
        size_t text_size, n_leases, n = 0;
        bool complete;
        int r;

        r = read_stable(path, &text, &text_size);
        if (r < 0)
                return r;
        r = leases_parse(text, text_size, (int64_t)time(NULL), &leases, &n_leases, &complete);
        free(text);
        if (r < 0)
                return r;
        struct guard_lease *out = calloc(n_leases ? n_leases : 1, sizeof *out);
        struct lease_owner *kept = calloc(n_leases ? n_leases : 1, sizeof *kept);
        if (!out || !kept) {
                free(out);
                free(kept);
                free(leases);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_leases; i++) {
                const struct lease *l = &leases[i];
                uid_t uid;
                int64_t owner = owner_of_mac && owner_of_mac(l->mac, &uid, userdata) >= 0 ? (int64_t)uid
                                                                                         : known_owner(o, l);
                if (owner < 0 || owner == (uid_t)-1)
                        continue; /* nobody's lease is nobody's to protect */
                out[n] = (struct guard_lease) { .addr = l->addr, .uid = (uint32_t)owner, .expiry = l->expiry };
                kept[n] = (struct lease_owner) { .addr = l->addr, .uid = (uint32_t)owner };
                memcpy(kept[n].mac, l->mac, sizeof l->mac);
                n++;
        }
        free(leases);
        qsort(kept, n, sizeof *kept, compare_owners);
        free(o->v);
        o->v = kept;
        o->n = n;
        *ret = out;
        *ret_n = n;
        return 0;
}

void lease_owners_free(struct lease_owners *o) {
        free(o->v);
        o->v = NULL;
        o->n = 0;
}
