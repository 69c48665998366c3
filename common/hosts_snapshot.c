/* Reading and checking the hosts snapshot (see hosts_snapshot.h).  The
 * writer is hosts_snapshot_write.c, which the NSS module never links. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hosts_snapshot.h"
#include "hosts_snapshot_layout.h"

static_assert(sizeof(struct hosts_snapshot_header) % 8 == 0, "entries follow the header 8-aligned");
static_assert(sizeof(struct hosts_snapshot_entry) % 8 == 0, "index arrays follow the entries 4-aligned");

/* A NUL within size bytes: a fixed field holds a C string. */
static bool field_is_string(const char *field, size_t size, size_t *ret_len) {
        const char *nul = memchr(field, '\0', size);
        if (!nul)
                return false;
        *ret_len = (size_t)(nul - field);
        return true;
}

/* [a-z0-9-], 1..63 bytes, no '-' first or last: one pass, no call (it
 * runs for every entry when a process maps the snapshot). */
static bool name_is_lowercase_label(const char *name, size_t len) {
        if (len == 0 || len > DNS_LABEL_MAX || name[0] == '-' || name[len - 1] == '-')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                        return false;
        }
        return true;
}

bool hosts_snapshot_domain_is_valid(const char *domain, size_t len) {
        return len == 0 || (dns_domain_is_valid(domain, len) && !dns_has_uppercase(domain, len));
}

/* Nothing but zeros after the len bytes of the name field: names compare
 * as whole fields.  Bytes up to a word boundary, then whole words. */
static bool name_is_zero_padded(const char *name, size_t len) {
        uint64_t rest = 0;
        size_t i = len;

        for (; i % 8 != 0 && i < DNS_LABEL_MAX + 1; i++)
                rest |= (uint8_t)name[i];
        for (; i < DNS_LABEL_MAX + 1; i += 8) {
                uint64_t w;
                memcpy(&w, name + i, 8);
                rest |= w;
        }
        return rest == 0;
}

bool hosts_snapshot_entry_is_valid(const struct hosts_snapshot_entry *e) {
        size_t len;

        if (!field_is_string(e->name, sizeof e->name, &len) || !name_is_lowercase_label(e->name, len) ||
            !name_is_zero_padded(e->name, len))
                return false;
        if (!field_is_string(e->owner, sizeof e->owner, &len))
                return false;
        return e->expiry >= 0;
}

size_t hosts_snapshot_name_buckets_offset(size_t by_addr_offset, size_t n) {
        return (by_addr_offset + n * sizeof(uint32_t) + 7) & ~(size_t)7;
}

size_t hosts_snapshot_name_buckets_size(uint32_t n_buckets, size_t n) {
        return sizeof(struct hosts_snapshot_name_buckets) + ((size_t)n_buckets + 1 + n) * sizeof(uint32_t);
}

int hosts_snapshot_compare_by_name(const struct hosts_snapshot_entry *entries, uint32_t i, uint32_t j) {
        int r = strcmp(entries[i].name, entries[j].name);
        if (r != 0)
                return r;
        return i < j ? -1 : i > j;
}

int hosts_snapshot_compare_by_addr(const struct hosts_snapshot_entry *entries, uint32_t i, uint32_t j) {
        uint32_t a = ntohl(entries[i].addr), b = ntohl(entries[j].addr);
        if (a != b)
                return a < b ? -1 : 1;
        return i < j ? -1 : i > j;
}

/* offset + count * elem_size lies within size, and offset is aligned. */
static bool region_fits(uint64_t offset, uint64_t count, uint64_t elem_size, uint64_t align, uint64_t size) {
        if (offset % align != 0 || offset > size)
                return false;
        /* count <= HOSTS_SNAPSHOT_ENTRIES_MAX and elem_size is small: no overflow. */
        return count * elem_size <= size - offset;
}

/* The name buckets at offset: they must fit the file exactly and span
 * the entries (that they are in order and the hashes right,
 * hosts_snapshot_parse() checks; a lookup checks the bucket it reads and
 * compares the name of an entry whose hash matches). */
static int parse_name_buckets(const uint8_t *base, size_t size, size_t offset, struct hosts_snapshot *s) {
        const struct hosts_snapshot_name_buckets *h = (const void *)(base + offset);

        if (offset >= size || size - offset < sizeof *h ||
            memcmp(h->magic, HOSTS_SNAPSHOT_NAME_BUCKETS_MAGIC, sizeof h->magic) != 0 || h->reserved != 0 ||
            h->n_buckets == 0 || (h->n_buckets & (h->n_buckets - 1)) != 0 ||
            h->n_buckets > HOSTS_SNAPSHOT_ENTRIES_MAX ||
            hosts_snapshot_name_buckets_size(h->n_buckets, s->n_entries) != size - offset)
                return -EBADMSG;
        const uint32_t *start = (const void *)(h + 1);
        if (start[0] != 0 || start[h->n_buckets] != s->n_entries)
                return -EBADMSG;
        s->bucket_start = start;
        s->name_hash = start + h->n_buckets + 1;
        s->n_buckets = h->n_buckets;
        return 0;
}

/* Every bucket in order, every entry in its bucket under its own hash. */
static bool name_buckets_are_right(const struct hosts_snapshot *s) {
        for (uint32_t b = 0; b < s->n_buckets; b++) {
                if (s->bucket_start[b] > s->bucket_start[b + 1])
                        return false;
                for (uint32_t i = s->bucket_start[b]; i < s->bucket_start[b + 1]; i++) {
                        const char *name = s->entries[i].name; /* checked: a NUL-terminated label */
                        if (s->name_hash[i] != hosts_snapshot_name_hash(name, strlen(name)) ||
                            hosts_snapshot_name_bucket(s->name_hash[i], s->n_buckets) != b)
                                return false;
                }
        }
        return true;
}

/* What hosts_snapshot_parse_layout() checks (see hosts_snapshot.h). */
static int parse_layout(const void *data, size_t size, struct hosts_snapshot *ret) {
        const struct hosts_snapshot_header *h = data;
        size_t len;

        if (!data || (uintptr_t)data % 8 != 0 || size < sizeof *h)
                return -EBADMSG;
        if (memcmp(h->magic, HOSTS_SNAPSHOT_MAGIC, sizeof h->magic) != 0 ||
            h->version != HOSTS_SNAPSHOT_VERSION ||
            h->header_size != sizeof *h ||
            h->entry_size != sizeof(struct hosts_snapshot_entry) ||
            h->file_size != size ||
            h->n_entries > HOSTS_SNAPSHOT_ENTRIES_MAX)
                return -EBADMSG;
        if (!field_is_string(h->domain, sizeof h->domain, &len) || !hosts_snapshot_domain_is_valid(h->domain, len))
                return -EBADMSG;

        uint32_t n = h->n_entries;
        if (h->entries_offset < sizeof *h ||
            !region_fits(h->entries_offset, n, sizeof(struct hosts_snapshot_entry), 8, size) ||
            !region_fits(h->by_name_offset, n, sizeof(uint32_t), 4, size) ||
            !region_fits(h->by_addr_offset, n, sizeof(uint32_t), 4, size))
                return -EBADMSG;

        const uint8_t *base = data;
        *ret = (struct hosts_snapshot) {
                .header = h,
                .entries = (const void *)(base + h->entries_offset),
                .by_name = (const void *)(base + h->by_name_offset),
                .by_addr = (const void *)(base + h->by_addr_offset),
                .n_entries = n,
                .domain_len = len, /* the domain's, checked above */
        };
        return parse_name_buckets(base, size, hosts_snapshot_name_buckets_offset(h->by_addr_offset, n), ret);
}

int hosts_snapshot_parse_layout(const void *data, size_t size, struct hosts_snapshot *ret) {
        struct hosts_snapshot s;
        int r = parse_layout(data, size, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

int hosts_snapshot_parse(const void *data, size_t size, struct hosts_snapshot *ret) {
        struct hosts_snapshot s;
        int r = parse_layout(data, size, &s);
        if (r < 0)
                return r;

        uint32_t n = s.n_entries;
        for (uint32_t i = 0; i < n; i++)
                if (!hosts_snapshot_entry_is_valid(&s.entries[i]))
                        return -EBADMSG;
        for (uint32_t i = 0; i < n; i++) {
                if (s.by_name[i] >= n || s.by_addr[i] >= n)
                        return -EBADMSG;
                /* Strictly increasing under a total order with the index as
                 * the last key: each index appears once, and binary search works. */
                if (i > 0 && (hosts_snapshot_compare_by_name(s.entries, s.by_name[i - 1], s.by_name[i]) >= 0 ||
                              hosts_snapshot_compare_by_addr(s.entries, s.by_addr[i - 1], s.by_addr[i]) >= 0))
                        return -EBADMSG;
        }
        if (!name_buckets_are_right(&s))
                return -EBADMSG;
        *ret = s;
        return 0;
}

/* The largest file a writer makes (HOSTS_SNAPSHOT_ENTRIES_MAX entries, as
 * many buckets, alignment), and more: what a reader maps at most. */
static uint64_t file_size_max(void) {
        const uint64_t n = HOSTS_SNAPSHOT_ENTRIES_MAX;
        return 64 + sizeof(struct hosts_snapshot_header) + n * (sizeof(struct hosts_snapshot_entry) + 2 * sizeof(uint32_t)) +
               8 + hosts_snapshot_name_buckets_size(HOSTS_SNAPSHOT_ENTRIES_MAX, n);
}

static int file_open_with(const char *path, int (*parse)(const void *, size_t, struct hosts_snapshot *),
                          struct hosts_snapshot_file *ret) {
        struct hosts_snapshot_file f = {};
        struct stat st;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > file_size_max()) {
                close(fd);
                return -EBADMSG;
        }
        f.map_size = (size_t)st.st_size;
        f.map = mmap(NULL, f.map_size, PROT_READ, MAP_SHARED, fd, 0);
        r = -errno;
        close(fd);
        if (f.map == MAP_FAILED)
                return r;
        r = parse(f.map, f.map_size, &f.view);
        if (r < 0) {
                munmap(f.map, f.map_size);
                return r;
        }
        f.dev = st.st_dev;
        f.ino = st.st_ino;
        f.size = st.st_size;
        f.mtime = st.st_mtim;
        *ret = f;
        return 0;
}

int hosts_snapshot_file_open(const char *path, struct hosts_snapshot_file *ret) {
        return file_open_with(path, hosts_snapshot_parse, ret);
}

int hosts_snapshot_file_map(const char *path, struct hosts_snapshot_file *ret) {
        return file_open_with(path, hosts_snapshot_parse_layout, ret);
}

void hosts_snapshot_file_close(struct hosts_snapshot_file *f) {
        if (f->map && f->map != MAP_FAILED)
                munmap(f->map, f->map_size);
        *f = (struct hosts_snapshot_file) {};
}

bool hosts_snapshot_file_is_superseded(const struct hosts_snapshot_file *f) {
        /* Another process writes it while we read: one aligned word, atomically. */
        return f->map && __atomic_load_n(&f->view.header->superseded, __ATOMIC_RELAXED) != 0;
}

bool hosts_snapshot_file_is_current(const struct hosts_snapshot_file *f, const struct stat *st) {
        return f->map && f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
               f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* What dns_label_lowercase() and hosts_snapshot_name_hash() do, in one
 * pass and no call: it runs on every lookup of libnss_vmnet. */
bool hosts_name_key_init(struct hosts_name_key *ret, const char *name, size_t len) {
        uint32_t h = HOSTS_SNAPSHOT_NAME_HASH_START;

        memset(ret->name, 0, sizeof ret->name);
        if (!dns_label_ends_are_valid(name, len))
                return false;
        for (size_t i = 0; i < len; i++) {
                if (!dns_label_char_lowercase(name[i], &ret->name[i]))
                        return false;
                h = hosts_snapshot_name_hash_add(h, ret->name[i]);
        }
        ret->len = len;
        ret->hash = h;
        return true;
}

/* The first k (1..8) bytes of a word read from memory by memcpy(). */
static uint64_t first_bytes_mask(size_t k) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return ~UINT64_C(0) >> (64 - 8 * k);
#else
        return ~UINT64_C(0) << (64 - 8 * k);
#endif
}

/* The entry's name is the key's: its len bytes and the NUL after them,
 * compared a word at a time, no call.  A short name compares one word,
 * in the entry's first cache line; the bytes after that NUL are never
 * read as the name (a file the module maps unchecked may hold anything
 * there). */
static bool name_field_eq(const char *field, const struct hosts_name_key *key) {
        size_t last = key->len / 8 * 8; /* the word that holds the NUL */
        uint64_t diff = 0, x, y;

        static_assert(sizeof key->name == DNS_LABEL_MAX + 1 && sizeof key->name % 8 == 0, "whole words");
        for (size_t i = 0; i < last; i += 8) {
                memcpy(&x, field + i, 8);
                memcpy(&y, key->name + i, 8);
                diff |= x ^ y;
        }
        memcpy(&x, field + last, 8);
        memcpy(&y, key->name + last, 8);
        diff |= (x ^ y) & first_bytes_mask(key->len - last + 1);
        return diff == 0;
}

/* The entry at position pos of an index, or NULL when the index names
 * none (only an unchecked file, hosts_snapshot_parse_layout(), has such). */
static const struct hosts_snapshot_entry *indexed(const struct hosts_snapshot *s, const uint32_t *index, size_t pos) {
        return index[pos] < s->n_entries ? &s->entries[index[pos]] : NULL;
}

/* How many entries from by_name position first on carry the key's name. */
static size_t name_run(const struct hosts_snapshot *s, size_t first, const struct hosts_name_key *key) {
        size_t end = first;
        const struct hosts_snapshot_entry *e;
        while (end < s->n_entries && (e = indexed(s, s->by_name, end)) && name_field_eq(e->name, key))
                end++;
        return end - first;
}

/* Through by_name: the first position whose entry is not below the name. */
static size_t find_by_name(const struct hosts_snapshot *s, const struct hosts_name_key *key, size_t *ret_first) {
        size_t lo = 0, hi = s->n_entries;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct hosts_snapshot_entry *e = indexed(s, s->by_name, mid);
                if (!e)
                        return *ret_first = 0;
                if (strncmp(e->name, key->name, sizeof key->name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_first = lo;
        return name_run(s, lo, key);
}

size_t hosts_snapshot_find_key(const struct hosts_snapshot *s, const struct hosts_name_key *key,
                               struct hosts_name_range *ret) {
        uint32_t b = hosts_snapshot_name_bucket(key->hash, s->n_buckets);
        size_t i = s->bucket_start[b], end = s->bucket_start[b + 1];
        *ret = (struct hosts_name_range) {};
        if (end > s->n_entries || i > end)
                return 0; /* an unchecked file's bad bucket */
        /* the hashes first: an entry is read only when its hash is the name's */
        for (; i < end; i++)
                if (s->name_hash[i] == key->hash && name_field_eq(s->entries[i].name, key))
                        break;
        size_t n = 0;
        while (i + n < end && s->name_hash[i + n] == key->hash && name_field_eq(s->entries[i + n].name, key))
                n++;
        ret->first = i;
        return ret->n = n;
}

size_t hosts_snapshot_find_name(const struct hosts_snapshot *s, const char *name, size_t *ret_first) {
        struct hosts_name_key key;

        *ret_first = 0;
        if (!hosts_name_key_init(&key, name, strnlen(name, sizeof key.name)))
                return 0;
        return find_by_name(s, &key, ret_first);
}

size_t hosts_snapshot_find_addr(const struct hosts_snapshot *s, struct in_addr addr, size_t *ret_first) {
        uint32_t key = ntohl(addr.s_addr);
        size_t lo = 0, hi = s->n_entries;

        *ret_first = 0;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct hosts_snapshot_entry *e = indexed(s, s->by_addr, mid);
                if (!e)
                        return 0;
                if (ntohl(e->addr) < key)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t end = lo;
        const struct hosts_snapshot_entry *e;
        while (end < s->n_entries && (e = indexed(s, s->by_addr, end)) && ntohl(e->addr) == key)
                end++;
        *ret_first = lo;
        return end - lo;
}
