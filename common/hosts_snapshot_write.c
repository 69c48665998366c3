/* Writing the hosts snapshot (see hosts_snapshot.h): its own file, so
 * that the NSS module, which only reads, links none of it (no temporary
 * files, no rename: tests/check-nss-reader). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "hosts_snapshot.h"
#include "hosts_snapshot_layout.h"

int hosts_snapshot_entry_init(struct hosts_snapshot_entry *ret, struct in_addr addr, const uint8_t mac[6],
                              int64_t expiry, uint32_t owner_uid, const char *owner, const char *name) {
        struct hosts_snapshot_entry e = {};
        size_t name_len = strlen(name), owner_len = owner ? strlen(owner) : 0;

        if (!dns_label_lowercase(e.name, name, name_len) || owner_len > HOSTS_USER_MAX || expiry < 0)
                return -EINVAL;
        if (owner_len > 0)
                memcpy(e.owner, owner, owner_len);
        e.expiry = expiry;
        e.addr = addr.s_addr;
        e.owner_uid = owner_uid;
        memcpy(e.mac, mac, sizeof e.mac);
        *ret = e;
        return 0;
}

/* About two entries a bucket: a start table of 2 bytes an entry, which
 * with the hashes stays in the cache, and a bucket is a short run of
 * adjacent entries. */
static uint32_t name_buckets_for(size_t n) {
        uint32_t nb = 1;
        while (nb < n / 2)
                nb *= 2;
        return nb;
}

static uint32_t name_hash_of(const struct hosts_snapshot_entry *e) {
        return hosts_snapshot_name_hash(e->name, strnlen(e->name, sizeof e->name));
}

/* The buckets of n entries in bucket order: the header, the start table,
 * each entry's hash. */
static void name_buckets_fill(uint8_t *at, uint32_t n_buckets, const struct hosts_snapshot_entry *e, uint32_t n) {
        struct hosts_snapshot_name_buckets h = { .n_buckets = n_buckets };
        uint32_t *start = (uint32_t *)(void *)(at + sizeof h), *hash = start + n_buckets + 1, i = 0;

        memcpy(h.magic, HOSTS_SNAPSHOT_NAME_BUCKETS_MAGIC, sizeof h.magic);
        memcpy(at, &h, sizeof h);
        for (uint32_t k = 0; k < n; k++)
                hash[k] = name_hash_of(&e[k]);
        for (uint32_t b = 0; b < n_buckets; b++) {
                start[b] = i;
                while (i < n && hosts_snapshot_name_bucket(hash[i], n_buckets) == b)
                        i++;
        }
        start[n_buckets] = n;
}

static int qsort_by_name(const void *a, const void *b, void *userdata) {
        return hosts_snapshot_compare_by_name(userdata, *(const uint32_t *)a, *(const uint32_t *)b);
}

static int qsort_by_addr(const void *a, const void *b, void *userdata) {
        return hosts_snapshot_compare_by_addr(userdata, *(const uint32_t *)a, *(const uint32_t *)b);
}

int hosts_snapshot_build(const char *domain, uint64_t generation,
                         const struct hosts_snapshot_entry *entries, size_t n,
                         void **ret_data, size_t *ret_size) {
        struct hosts_snapshot_header h = {};
        size_t domain_len = strlen(domain);

        if (domain_len > DNS_LABEL_MAX || !hosts_snapshot_domain_is_valid(domain, domain_len))
                return -EINVAL;
        if (n > HOSTS_SNAPSHOT_ENTRIES_MAX)
                return -E2BIG;
        for (size_t i = 0; i < n; i++)
                if (!hosts_snapshot_entry_is_valid(&entries[i]))
                        return -EINVAL;

        size_t entries_offset = (sizeof h + 63) & ~(size_t)63; /* each entry on two whole cache lines */
        size_t by_name_offset = entries_offset + n * sizeof *entries;
        size_t by_addr_offset = by_name_offset + n * sizeof(uint32_t);
        size_t buckets_offset = hosts_snapshot_name_buckets_offset(by_addr_offset, n);
        uint32_t n_buckets = name_buckets_for(n);
        size_t size = buckets_offset + hosts_snapshot_name_buckets_size(n_buckets, n);
        _cleanup_free_ uint32_t *bucket = malloc((n ? n : 1) * sizeof *bucket);
        /* next[b]: where the next entry of bucket b goes */
        _cleanup_free_ uint32_t *next = calloc((size_t)n_buckets + 1, sizeof *next);
        if (!bucket || !next)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                bucket[i] = hosts_snapshot_name_bucket(name_hash_of(&entries[i]), n_buckets);
                next[bucket[i] + 1]++;
        }
        for (uint32_t b = 0; b < n_buckets; b++)
                next[b + 1] += next[b];

        uint8_t *data = calloc(1, size);
        if (!data)
                return -ENOMEM;

        memcpy(h.magic, HOSTS_SNAPSHOT_MAGIC, sizeof h.magic);
        h.version = HOSTS_SNAPSHOT_VERSION;
        h.header_size = sizeof h;
        h.entry_size = sizeof *entries;
        h.n_entries = (uint32_t)n;
        h.generation = generation;
        h.file_size = size;
        h.entries_offset = (uint32_t)entries_offset;
        h.by_name_offset = (uint32_t)by_name_offset;
        h.by_addr_offset = (uint32_t)by_addr_offset;
        memcpy(h.domain, domain, domain_len);
        memcpy(data, &h, sizeof h);

        struct hosts_snapshot_entry *e = (struct hosts_snapshot_entry *)(data + entries_offset);
        uint32_t *by_name = (uint32_t *)(data + by_name_offset);
        uint32_t *by_addr = (uint32_t *)(data + by_addr_offset);
        /* Entries in bucket order (then name, then the caller's order: it
         * stays among equal names), then both indexes over them.  One
         * sort by name; a stable counting sort by bucket keeps that order
         * within each bucket, so the name index is where each went (a
         * name lives in one bucket: equal names keep the caller's order). */
        for (size_t i = 0; i < n; i++)
                by_name[i] = by_addr[i] = (uint32_t)i;
        qsort_r(by_name, n, sizeof *by_name, qsort_by_name, (void *)entries);
        for (size_t k = 0; k < n; k++) {
                uint32_t i = by_name[k], at = next[bucket[i]]++;
                e[at] = entries[i];
                by_name[k] = at;
        }
        qsort_r(by_addr, n, sizeof *by_addr, qsort_by_addr, e);
        name_buckets_fill(data + buckets_offset, n_buckets, e, (uint32_t)n);

        *ret_data = data;
        *ret_size = size;
        return 0;
}

/* The snapshot about to be replaced, opened for setting its superseded
 * flag; -1 when there is none or it is not one of ours (never write into
 * a file we did not make). */
static int open_replaced_snapshot(const char *path) {
        struct hosts_snapshot_header h;
        struct stat st;
        int fd;

        fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -1;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
            pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
            memcmp(h.magic, HOSTS_SNAPSHOT_MAGIC, sizeof h.magic) != 0 ||
            h.version != HOSTS_SNAPSHOT_VERSION || h.file_size != (uint64_t)st.st_size) {
                close(fd);
                return -1;
        }
        return fd;
}

int hosts_snapshot_write(const char *path, const char *domain, uint64_t generation,
                         const struct hosts_snapshot_entry *entries, size_t n) {
        _cleanup_free_ void *data = NULL;
        _cleanup_close_ int old_fd = -1;
        size_t size;
        int r;

        r = hosts_snapshot_build(domain, generation, entries, n, &data, &size);
        if (r < 0)
                return r;
        old_fd = open_replaced_snapshot(path);
        /* 0644: every user resolves names from it */
        r = write_file_atomic(path, data, size, 0644);
        if (r < 0)
                return r;
        if (old_fd >= 0) {
                static const uint32_t one = 1;
                if (pwrite(old_fd, &one, sizeof one, offsetof(struct hosts_snapshot_header, superseded)) < 0) {
                        /* Best effort: readers also stat() the path once a second. */
                }
        }
        return 0;
}
