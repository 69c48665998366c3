/* run_dir/hosts: the lab's live leases as vmnetd publishes them for
 * libnss_vmnet, laid out for lookups without parsing text.
 *
 * Layout (host byte order; the file never leaves the host):
 *   struct hosts_snapshot_header                       at offset 0
 *   n_entries struct hosts_snapshot_entry              at entries_offset (8-aligned;
 *                                                      the writer puts it on a cache line)
 *   n_entries uint32_t entry indexes sorted by (name, index)       at by_name_offset
 *   n_entries uint32_t entry indexes sorted by (address, index)    at by_addr_offset
 *   8-aligned right after by_addr and up to file_size: the names' hash
 *   buckets (struct hosts_snapshot_name_buckets, its start table, then
 *   each entry's name hash)
 * Every string sits NUL-terminated in a fixed field, zero-padded.  The
 * writer puts the entries in the order of their name's hash bucket (then
 * name, then the caller's order), so that a lookup by name reads two
 * small tables (where its bucket starts, the hashes of the bucket's few
 * entries: 6 bytes an entry, 600 KB at 100,000 names, which stay in the
 * cache) and then only the entry whose hash is the name's: a name that is
 * not there touches no entry at all, one that is touches one entry (an
 * entry is 128 bytes, two cache lines side by side).  A search of by_name
 * took one miss into megabytes of entries per probe; the entries alone,
 * without the hashes, one per entry of the bucket (tests/bench/nss).
 * Version 1 (120-byte entries, no hashes, buckets optional) is refused:
 * the version and entry_size checks fail an old reader on a new file and
 * a new reader on an old one, cleanly ("not found", "starts anew").
 * The writer builds the whole file in memory, writes it to a temporary
 * file in the same directory and renames it over the old one: a reader
 * sees the old or the new snapshot, never half of one.  After the rename
 * the writer sets "superseded" in the old file: a process that keeps the
 * old one mapped learns of the new one from memory, without a system call
 * per lookup; that flag is the only byte ever written into a published
 * file.  The reader trusts nothing it maps: hosts_snapshot_parse() checks
 * sizes, offsets, counts, NUL termination, names, hashes and the order of
 * both indexes and of the buckets before any lookup, so a hostile or
 * truncated file is refused, never read out of bounds. */
#pragma once
#include <assert.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "dns_name.h"

#define HOSTS_SNAPSHOT_PATH        "/run/vmnet/hosts"
#define HOSTS_SNAPSHOT_MAGIC       "VMNETHS\n"
#define HOSTS_SNAPSHOT_VERSION     2
#define HOSTS_SNAPSHOT_ENTRIES_MAX (1u << 20) /* far above any lab: bounds the work a file can ask for */
#define HOSTS_OWNER_UNKNOWN        UINT32_MAX
#define HOSTS_USER_MAX             32
static_assert(HOSTS_USER_MAX >= DNS_USER_LABEL_MAX, "the owner field holds a user's label");

struct hosts_snapshot_header {
        char magic[8];                   /* HOSTS_SNAPSHOT_MAGIC, no NUL */
        uint32_t version;                /* HOSTS_SNAPSHOT_VERSION */
        uint32_t header_size;            /* sizeof(struct hosts_snapshot_header) */
        uint32_t entry_size;             /* sizeof(struct hosts_snapshot_entry) */
        uint32_t n_entries;
        uint64_t generation;             /* grows with each snapshot vmnetd writes */
        uint64_t file_size;              /* the whole file: a truncated copy is refused */
        uint32_t entries_offset;
        uint32_t by_name_offset;
        uint32_t by_addr_offset;
        uint32_t superseded;             /* 0; the writer sets it to 1 in the old file
                                          * once a new snapshot has replaced it */
        char domain[DNS_LABEL_MAX + 1];  /* the lab domain, NUL-terminated; "" for none */
};
static_assert(sizeof(struct hosts_snapshot_header) == 120, "snapshot header layout");

struct hosts_snapshot_entry {
        int64_t expiry;                  /* seconds since the epoch; 0: infinite */
        uint32_t addr;                   /* IPv4, network byte order (struct in_addr's s_addr) */
        uint32_t owner_uid;              /* HOSTS_OWNER_UNKNOWN when not known */
        uint8_t mac[6];
        char owner[HOSTS_USER_MAX + 1];  /* owner_uid's label in NAME.USER.DOMAIN (dns_user_label()),
                                          * NUL-terminated; "" when unknown */
        char name[DNS_LABEL_MAX + 1];    /* lowercase DNS label, NUL-terminated */
        uint8_t reserved[9];             /* 0: up to two whole cache lines */
};
static_assert(sizeof(struct hosts_snapshot_entry) == 128, "snapshot entry layout");

#define HOSTS_SNAPSHOT_NAME_BUCKETS_MAGIC "VMNETNB\n"

/* The names' hash buckets: n_buckets (a power of two) + 1 uint32_t follow
 * it, start[b] the index of the first entry of bucket b (the top bits of
 * hosts_snapshot_name_hash()), start[n_buckets] = n_entries: bucket b is
 * entries[start[b]] .. entries[start[b + 1] - 1].  Then n_entries
 * uint32_t: hash[i] = hosts_snapshot_name_hash() of entries[i].name. */
struct hosts_snapshot_name_buckets {
        char magic[8];                   /* HOSTS_SNAPSHOT_NAME_BUCKETS_MAGIC, no NUL */
        uint32_t n_buckets;
        uint32_t reserved;               /* 0 */
};
static_assert(sizeof(struct hosts_snapshot_name_buckets) == 16, "snapshot name buckets layout");

/* FNV-1a of the len bytes of a (lowercase) name: the hash starts at
 * HOSTS_SNAPSHOT_NAME_HASH_START and takes in one byte after another. */
#define HOSTS_SNAPSHOT_NAME_HASH_START 2166136261u
static inline uint32_t hosts_snapshot_name_hash_add(uint32_t h, char c) {
        return (h ^ (uint8_t)c) * 16777619u;
}

static inline uint32_t hosts_snapshot_name_hash(const char *name, size_t len) {
        uint32_t h = HOSTS_SNAPSHOT_NAME_HASH_START;
        for (size_t i = 0; i < len; i++)
                h = hosts_snapshot_name_hash_add(h, name[i]);
        return h;
}

/* The bucket of a hash among n_buckets (a power of two): its top bits. */
static inline uint32_t hosts_snapshot_name_bucket(uint32_t hash, uint32_t n_buckets) {
        return n_buckets <= 1 ? 0 : (uint32_t) (((uint64_t) hash * n_buckets) >> 32);
}

/* A name to look up, laid out as an entry's name field (lowercase, zero
 * after it: the writer zero-fills the fields and the reader checks it), so
 * that comparing is comparing two fixed fields. */
struct hosts_name_key {
        char name[DNS_LABEL_MAX + 1];
        size_t len;
        uint32_t hash;
};

/* Makes the key for the len bytes at name; false if they are no DNS label. */
bool hosts_name_key_init(struct hosts_name_key *ret, const char *name, size_t len);

/* A validated view of a snapshot in memory; points into the data it was
 * parsed from. */
struct hosts_snapshot {
        const struct hosts_snapshot_header *header;
        const struct hosts_snapshot_entry *entries;
        const uint32_t *by_name;
        const uint32_t *by_addr;
        uint32_t n_entries;
        const uint32_t *bucket_start;    /* n_buckets + 1 */
        const uint32_t *name_hash;       /* n_entries, one per entry */
        uint32_t n_buckets;
        size_t domain_len;               /* strlen(header->domain) */
};

/* Fills *ret with one entry; name is lowercased.  Returns -EINVAL (and
 * leaves *ret untouched) when name is not a DNS label or owner does not
 * fit (owner may be NULL or "" for unknown). */
int hosts_snapshot_entry_init(struct hosts_snapshot_entry *ret, struct in_addr addr, const uint8_t mac[6],
                              int64_t expiry, uint32_t owner_uid, const char *owner, const char *name);

/* Builds a snapshot file's bytes from n entries (any order, names may
 * repeat) into *ret_data (malloc'ed) and *ret_size.  Returns -EINVAL for an
 * invalid entry or domain (domain may be ""), -E2BIG for too many entries,
 * -ENOMEM. */
int hosts_snapshot_build(const char *domain, uint64_t generation,
                         const struct hosts_snapshot_entry *entries, size_t n,
                         void **ret_data, size_t *ret_size);

/* hosts_snapshot_build(), then writes the result atomically to path: a
 * temporary file in the same directory, mode 0644, renamed over path;
 * then flags the snapshot it replaced as superseded. */
int hosts_snapshot_write(const char *path, const char *domain, uint64_t generation,
                         const struct hosts_snapshot_entry *entries, size_t n);

/* Checks size bytes at data (at least 8-aligned, as mmap and malloc give)
 * and on success fills *ret.  Returns -EBADMSG for anything malformed. */
int hosts_snapshot_parse(const void *data, size_t size, struct hosts_snapshot *ret);

/* The same checks but those that read every entry and index: the header,
 * the domain, that every region fits.  The find functions below stay
 * within the data and return only positions whose index names an entry,
 * whatever the rest holds; an entry's strings are the caller's to check
 * (hosts_snapshot_entry_is_valid()) unless a name lookup matched its name
 * (then its name is the key's, NUL-terminated; the field's bytes after
 * that NUL are unchecked, and nothing a lookup answers comes from them).
 * For a process that looks up one name: checking 100,000 entries first
 * was most of a new process's first lookup (tests/bench/nss, getent). */
int hosts_snapshot_parse_layout(const void *data, size_t size, struct hosts_snapshot *ret);

/* Whether an entry's fields are what the writer makes (lowercase,
 * zero-padded DNS label; owner NUL-terminated; expiry >= 0). */
bool hosts_snapshot_entry_is_valid(const struct hosts_snapshot_entry *e);

/* A snapshot file mapped read-only; its descriptor is closed at once. */
struct hosts_snapshot_file {
        void *map;
        size_t map_size;
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        struct hosts_snapshot view;
};

/* Maps and parses path.  Returns 0, -ENOENT when missing, -EBADMSG when
 * empty or malformed, or another negative errno. */
int hosts_snapshot_file_open(const char *path, struct hosts_snapshot_file *ret);
/* The same with hosts_snapshot_parse_layout(): for libnss_vmnet. */
int hosts_snapshot_file_map(const char *path, struct hosts_snapshot_file *ret);
/* Unmaps; accepts a zeroed or already closed one. */
void hosts_snapshot_file_close(struct hosts_snapshot_file *f);
/* True if st (a fresh stat of the path) is still the file f maps. */
bool hosts_snapshot_file_is_current(const struct hosts_snapshot_file *f, const struct stat *st);
/* True once the writer has replaced the file f maps (a hint: a file put in
 * place by other means is noticed only by hosts_snapshot_file_is_current). */
bool hosts_snapshot_file_is_superseded(const struct hosts_snapshot_file *f);

/* Where the entries of one name are: entry k (0 <= k < n) of the range is
 * entries[first + k]. */
struct hosts_name_range {
        size_t first, n;
};

static inline const struct hosts_snapshot_entry *hosts_name_range_entry(const struct hosts_snapshot *s,
                                                                        const struct hosts_name_range *r,
                                                                        size_t k) {
        return &s->entries[r->first + k];
}

/* The entries whose name is key's, in snapshot order, by the buckets and
 * their hashes; returns how many. */
size_t hosts_snapshot_find_key(const struct hosts_snapshot *s, const struct hosts_name_key *key,
                               struct hosts_name_range *ret);
/* Entries whose name equals name (NUL-terminated; none when it is no DNS
 * label), through by_name: returns how many, and where the first is in
 * s->by_name in *ret_first. */
size_t hosts_snapshot_find_name(const struct hosts_snapshot *s, const char *name, size_t *ret_first);
/* The same for an address, in s->by_addr. */
size_t hosts_snapshot_find_addr(const struct hosts_snapshot *s, struct in_addr addr, size_t *ret_first);
