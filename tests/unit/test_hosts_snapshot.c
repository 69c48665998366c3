/* The hosts snapshot: what the writer builds, the reader finds; and the
 * reader refuses, without reading out of bounds, every file that is not
 * exactly what the writer makes (truncated at every offset, bad offsets,
 * counts, strings, unsorted or repeated indexes). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hosts_snapshot.h"

static struct in_addr ip(const char *s) {
        struct in_addr a;
        assert_int_equal(inet_pton(AF_INET, s, &a), 1);
        return a;
}

static const uint8_t mac1[6] = { 0x52, 0x54, 0, 0, 0, 1 };

/* A small snapshot with every quirk: a repeated name with different owners,
 * an unknown owner, an infinite lease, addresses out of order. */
static size_t sample(struct hosts_snapshot_entry e[6]) {
        assert_int_equal(hosts_snapshot_entry_init(&e[0], ip("10.77.0.120"), mac1, 1700000100, 61001, "stu1", "vm1"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&e[1], ip("10.77.0.101"), mac1, 1700000200, 61002, "stu2", "VM1"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&e[2], ip("10.77.0.9"), mac1, 0, HOSTS_OWNER_UNKNOWN, NULL, "db"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&e[3], ip("10.77.0.200"), mac1, 1700000300, 61001, "stu1", "web-1"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&e[4], ip("10.77.1.1"), mac1, 1700000300, 0, "root", "a"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&e[5], ip("192.168.0.1"), mac1, 1700000300, 61003, "stu3", "vm1"), 0);
        return 6;
}

/* The bytes of a sample snapshot, in an 8-aligned buffer. */
static uint8_t *sample_bytes(size_t *ret_size) {
        struct hosts_snapshot_entry e[6];
        size_t n = sample(e);
        void *data;
        assert_int_equal(hosts_snapshot_build("lab.example", 7, e, n, &data, ret_size), 0);
        return data;
}

static void test_entry_init(void **state) {
        (void)state;
        struct hosts_snapshot_entry e;
        memset(&e, 0x55, sizeof e);
        assert_int_equal(hosts_snapshot_entry_init(&e, ip("10.0.0.1"), mac1, 0, 1, "u", "bad.name"), -EINVAL);
        assert_int_equal(hosts_snapshot_entry_init(&e, ip("10.0.0.1"), mac1, 0, 1, "u", ""), -EINVAL);
        assert_int_equal(hosts_snapshot_entry_init(&e, ip("10.0.0.1"), mac1, -1, 1, "u", "x"), -EINVAL);
        assert_int_equal(hosts_snapshot_entry_init(&e, ip("10.0.0.1"), mac1, 0, 1,
                                                   "a-user-name-of-thirty-three-chars", "x"), -EINVAL);
        assert_int_equal(e.reserved[0], 0x55); /* untouched on failure */
        assert_int_equal(hosts_snapshot_entry_init(&e, ip("10.0.0.1"), mac1, 0, 1,
                                                   "a-user-name-of-thirty-two-chars", "MiXeD"), 0);
        assert_string_equal(e.name, "mixed");
        assert_string_equal(e.owner, "a-user-name-of-thirty-two-chars");
        assert_int_equal(e.reserved[0], 0);
        assert_int_equal(e.reserved[8], 0);
}

static void test_round_trip(void **state) {
        (void)state;
        size_t size;
        uint8_t *data = sample_bytes(&size);
        struct hosts_snapshot s;
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        assert_int_equal(s.n_entries, 6);
        assert_string_equal(s.header->domain, "lab.example");
        assert_int_equal(s.header->generation, 7);

        /* entries are stored in bucket order, whole names together */
        for (uint32_t b = 0; b < s.n_buckets; b++)
                for (uint32_t i = s.bucket_start[b]; i < s.bucket_start[b + 1]; i++)
                        assert_int_equal(hosts_snapshot_name_bucket(
                                                 hosts_snapshot_name_hash(s.entries[i].name, strlen(s.entries[i].name)),
                                                 s.n_buckets),
                                         b);
        size_t first, n = hosts_snapshot_find_name(&s, "vm1", &first);
        assert_int_equal(n, 3);
        /* ties in name keep entry order */
        assert_string_equal(s.entries[s.by_name[first]].owner, "stu1");
        assert_string_equal(s.entries[s.by_name[first + 1]].owner, "stu2");
        assert_string_equal(s.entries[s.by_name[first + 2]].owner, "stu3");

        n = hosts_snapshot_find_name(&s, "db", &first);
        assert_int_equal(n, 1);
        const struct hosts_snapshot_entry *e = &s.entries[s.by_name[first]];
        assert_int_equal(e->owner_uid, HOSTS_OWNER_UNKNOWN);
        assert_string_equal(e->owner, "");
        assert_int_equal(e->expiry, 0);
        assert_memory_equal(e->mac, mac1, 6);

        assert_int_equal(hosts_snapshot_find_name(&s, "vm", &first), 0);
        assert_int_equal(hosts_snapshot_find_name(&s, "vm10", &first), 0);
        assert_int_equal(hosts_snapshot_find_name(&s, "zzz", &first), 0);
        assert_int_equal(hosts_snapshot_find_name(&s, "", &first), 0);
        assert_int_equal(hosts_snapshot_find_name(&s, "0", &first), 0);

        /* numeric, not byte, order: 10.77.0.9 < 10.77.0.101 < ... < 192.168.0.1 */
        assert_int_equal(ntohl(s.entries[s.by_addr[0]].addr), ntohl(ip("10.77.0.9").s_addr));
        assert_int_equal(ntohl(s.entries[s.by_addr[5]].addr), ntohl(ip("192.168.0.1").s_addr));
        n = hosts_snapshot_find_addr(&s, ip("10.77.0.200"), &first);
        assert_int_equal(n, 1);
        assert_string_equal(s.entries[s.by_addr[first]].name, "web-1");
        assert_int_equal(hosts_snapshot_find_addr(&s, ip("10.77.0.201"), &first), 0);
        assert_int_equal(hosts_snapshot_find_addr(&s, ip("0.0.0.0"), &first), 0);
        assert_int_equal(hosts_snapshot_find_addr(&s, ip("255.255.255.255"), &first), 0);
        free(data);
}

/* Finds by the buckets and their hashes what by_name finds, in the same
 * order; and a file of the first layout (version 1, 120-byte entries, no
 * hashes) is refused, as version 1 readers refuse this one. */
static void test_buckets_and_old_files(void **state) {
        (void) state;
        size_t size, first;
        uint8_t *data = sample_bytes(&size);
        struct hosts_snapshot_header *h = (struct hosts_snapshot_header *) data;
        struct hosts_snapshot s;

        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        assert_non_null(s.bucket_start);
        assert_non_null(s.name_hash);
        for (uint32_t i = 0; i < s.n_entries; i++)
                assert_int_equal(s.name_hash[i], hosts_snapshot_name_hash(s.entries[i].name, strlen(s.entries[i].name)));
        const char *names[] = { "vm1", "db", "web-1", "vm", "vm10", "zzz", "", "0", "VM1" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                struct hosts_name_key key;
                struct hosts_name_range a;
                size_t n = hosts_snapshot_find_name(&s, names[i], &first);
                if (!hosts_name_key_init(&key, names[i], strlen(names[i]))) {
                        assert_int_equal(n, 0);
                        continue;
                }
                assert_int_equal(hosts_snapshot_find_key(&s, &key, &a), n);
                for (size_t k = 0; k < n; k++)
                        assert_ptr_equal(hosts_name_range_entry(&s, &a, k), &s.entries[s.by_name[first + k]]);
        }
        /* what a version 1 reader checks first: it refuses this file */
        assert_int_equal(h->version, 2);
        assert_int_equal(h->entry_size, 128);
        /* and a version 1 file (its header says so) is refused here */
        h->version = 1;
        assert_int_equal(hosts_snapshot_parse(data, size, &s), -EBADMSG);
        assert_int_equal(hosts_snapshot_parse_layout(data, size, &s), -EBADMSG);
        h->version = 2;
        h->entry_size = 120;
        assert_int_equal(hosts_snapshot_parse_layout(data, size, &s), -EBADMSG);
        /* nor without its buckets (the first layout's optional part) */
        h->entry_size = 128;
        h->file_size = h->by_addr_offset + 4 * (size_t) h->n_entries;
        assert_int_equal(hosts_snapshot_parse_layout(data, h->file_size, &s), -EBADMSG);
        free(data);
}

static void test_empty_snapshot(void **state) {
        (void)state;
        void *data;
        size_t size, first;
        struct hosts_snapshot s;
        assert_int_equal(hosts_snapshot_build("", 1, NULL, 0, &data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        assert_int_equal(s.n_entries, 0);
        assert_string_equal(s.header->domain, "");
        assert_int_equal(hosts_snapshot_find_name(&s, "vm1", &first), 0);
        assert_int_equal(hosts_snapshot_find_addr(&s, ip("10.0.0.1"), &first), 0);
        free(data);
}

static void test_build_refuses(void **state) {
        (void)state;
        struct hosts_snapshot_entry e[6];
        size_t n = sample(e);
        void *data;
        size_t size;
        assert_int_equal(hosts_snapshot_build("Lab", 1, e, n, &data, &size), -EINVAL);
        assert_int_equal(hosts_snapshot_build("lab..x", 1, e, n, &data, &size), -EINVAL);
        assert_int_equal(hosts_snapshot_build(".lab", 1, e, n, &data, &size), -EINVAL);
        e[2].name[0] = '\0';
        assert_int_equal(hosts_snapshot_build("lab", 1, e, n, &data, &size), -EINVAL);
        sample(e);
        memset(e[3].owner, 'x', sizeof e[3].owner);
        assert_int_equal(hosts_snapshot_build("lab", 1, e, n, &data, &size), -EINVAL);
        assert_int_equal(hosts_snapshot_build("lab", 1, e, HOSTS_SNAPSHOT_ENTRIES_MAX + 1, &data, &size), -E2BIG);
}

static void test_truncated_at_every_offset(void **state) {
        (void)state;
        size_t size;
        uint8_t *data = sample_bytes(&size);
        for (size_t cut = 0; cut < size; cut++) {
                /* a copy of exactly cut bytes, so ASan sees any read past it */
                uint8_t *copy = aligned_alloc(8, cut ? (cut + 7) / 8 * 8 : 8);
                assert_non_null(copy);
                memcpy(copy, data, cut);
                struct hosts_snapshot s;
                assert_int_equal(hosts_snapshot_parse(copy, cut, &s), -EBADMSG);
                free(copy);
        }
        /* and one byte more than written is refused as well */
        uint8_t *longer = calloc(1, size + 8);
        memcpy(longer, data, size);
        struct hosts_snapshot s;
        assert_int_equal(hosts_snapshot_parse(longer, size + 1, &s), -EBADMSG);
        free(longer);
        free(data);
}

/* Mutates a fresh sample with fn and expects the parser to refuse it. */
static int parse_mutated(void (*fn)(uint8_t *data, struct hosts_snapshot_header *h)) {
        size_t size;
        uint8_t *data = sample_bytes(&size);
        struct hosts_snapshot s;
        fn(data, (struct hosts_snapshot_header *)data);
        int r = hosts_snapshot_parse(data, size, &s);
        free(data);
        return r;
}

static struct hosts_snapshot_entry *entry(uint8_t *data, struct hosts_snapshot_header *h, size_t i) {
        return (struct hosts_snapshot_entry *)(data + h->entries_offset) + i;
}
static uint32_t *by_name(uint8_t *data, struct hosts_snapshot_header *h) {
        return (uint32_t *)(data + h->by_name_offset);
}
static uint32_t *by_addr(uint8_t *data, struct hosts_snapshot_header *h) {
        return (uint32_t *)(data + h->by_addr_offset);
}

static void m_magic(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->magic[0] ^= 1; }
static void m_version_old(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->version = 1; }
static void m_version_new(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->version = 3; }
static void m_header_size(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->header_size += 8; }
static void m_entry_size(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->entry_size = 8; }
static void m_file_size(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->file_size -= 1; }
static void m_count_up(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->n_entries += 1; }
static void m_count_huge(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->n_entries = UINT32_MAX; }
static void m_count_max(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->n_entries = HOSTS_SNAPSHOT_ENTRIES_MAX; }
static void m_entries_in_header(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->entries_offset = 0; }
static void m_entries_unaligned(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->entries_offset += 4; }
static void m_entries_past_end(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->entries_offset = UINT32_MAX - 7; }
static void m_by_name_past_end(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->by_name_offset = (uint32_t)h->file_size - 4; }
static void m_by_addr_past_end(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->by_addr_offset = UINT32_MAX; }
static void m_by_name_unaligned(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; h->by_name_offset += 1; }
static void m_domain_unterminated(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; memset(h->domain, 'a', sizeof h->domain); }
static void m_domain_bad(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; strcpy(h->domain, "lab/../x"); }
static void m_domain_upper(uint8_t *d, struct hosts_snapshot_header *h) { (void)d; strcpy(h->domain, "LAB"); }
static void m_name_unterminated(uint8_t *d, struct hosts_snapshot_header *h) {
        memset(entry(d, h, 2)->name, 'a', sizeof entry(d, h, 2)->name);
}
static void m_name_empty(uint8_t *d, struct hosts_snapshot_header *h) { entry(d, h, 0)->name[0] = '\0'; }
static void m_name_upper(uint8_t *d, struct hosts_snapshot_header *h) { entry(d, h, 2)->name[0] = 'D'; }
static void m_name_dot(uint8_t *d, struct hosts_snapshot_header *h) { strcpy(entry(d, h, 2)->name, "d.b"); }
static void m_owner_unterminated(uint8_t *d, struct hosts_snapshot_header *h) {
        memset(entry(d, h, 0)->owner, 'u', sizeof entry(d, h, 0)->owner);
}
/* names compare as whole fields: anything after the NUL is refused */
static void m_name_padding(uint8_t *d, struct hosts_snapshot_header *h) { entry(d, h, 2)->name[60] = 'x'; }
/* the name buckets after by_addr */
static struct hosts_snapshot_name_buckets *buckets(uint8_t *d, struct hosts_snapshot_header *h) {
        return (struct hosts_snapshot_name_buckets *)(d + (h->by_addr_offset + 4 * h->n_entries + 7) / 8 * 8);
}
static uint32_t *bucket_start(uint8_t *d, struct hosts_snapshot_header *h) {
        return (uint32_t *)(buckets(d, h) + 1);
}
static void m_buckets_magic(uint8_t *d, struct hosts_snapshot_header *h) { buckets(d, h)->magic[3] ^= 1; }
static void m_buckets_reserved(uint8_t *d, struct hosts_snapshot_header *h) { buckets(d, h)->reserved = 1; }
static void m_buckets_odd(uint8_t *d, struct hosts_snapshot_header *h) { buckets(d, h)->n_buckets += 1; }
static void m_buckets_more(uint8_t *d, struct hosts_snapshot_header *h) { buckets(d, h)->n_buckets *= 2; }
static void m_buckets_first(uint8_t *d, struct hosts_snapshot_header *h) { bucket_start(d, h)[0] = 1; }
static void m_buckets_last(uint8_t *d, struct hosts_snapshot_header *h) {
        bucket_start(d, h)[buckets(d, h)->n_buckets] = h->n_entries + 1;
}
static void m_buckets_backwards(uint8_t *d, struct hosts_snapshot_header *h) {
        bucket_start(d, h)[buckets(d, h)->n_buckets - 1] = h->n_entries + 1;
}
/* the hashes after the start table */
static uint32_t *name_hash(uint8_t *d, struct hosts_snapshot_header *h) {
        return bucket_start(d, h) + buckets(d, h)->n_buckets + 1;
}
static void m_hash_changed(uint8_t *d, struct hosts_snapshot_header *h) { name_hash(d, h)[3] ^= 1; }
static void m_hash_swapped(uint8_t *d, struct hosts_snapshot_header *h) {
        uint32_t *x = name_hash(d, h), t = x[0];
        x[0] = x[5];
        x[5] = t;
}
/* the last entry of a bucket counted in the next: not its bucket */
static void m_bucket_shifted(uint8_t *d, struct hosts_snapshot_header *h) {
        uint32_t *start = bucket_start(d, h), nb = buckets(d, h)->n_buckets;
        for (uint32_t b = 0; b + 1 < nb; b++)
                if (start[b] < start[b + 1]) {
                        start[b + 1]--;
                        return;
                }
        fail_msg("no bucket to shift");
}
static void m_expiry_negative(uint8_t *d, struct hosts_snapshot_header *h) { entry(d, h, 1)->expiry = -1; }
static void m_index_out_of_range(uint8_t *d, struct hosts_snapshot_header *h) { by_name(d, h)[3] = h->n_entries; }
static void m_index_huge(uint8_t *d, struct hosts_snapshot_header *h) { by_addr(d, h)[0] = UINT32_MAX; }
static void m_by_name_swapped(uint8_t *d, struct hosts_snapshot_header *h) {
        uint32_t *x = by_name(d, h), t = x[0];
        x[0] = x[5];
        x[5] = t;
}
static void m_by_name_repeat(uint8_t *d, struct hosts_snapshot_header *h) { by_name(d, h)[2] = by_name(d, h)[1]; }
static void m_by_addr_swapped(uint8_t *d, struct hosts_snapshot_header *h) {
        uint32_t *x = by_addr(d, h), t = x[1];
        x[1] = x[2];
        x[2] = t;
}
/* renaming an entry puts the (otherwise intact) name index out of order */
static void m_name_changed(uint8_t *d, struct hosts_snapshot_header *h) { strcpy(entry(d, h, 2)->name, "zz"); }
static void m_addr_changed(uint8_t *d, struct hosts_snapshot_header *h) { entry(d, h, 5)->addr = 0; }

/* What an unchecked file (hosts_snapshot_parse_layout) may give: every
 * position a find returns names an entry, every entry a name lookup
 * returns carries that name, NUL-terminated (what the field holds after
 * the NUL a lookup never reads). */
static void check_finds_stay_inside(const struct hosts_snapshot *s) {
        const char *names[] = { "vm1", "db", "web-1", "zz", "aaaaaaaa", "VM1" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                struct hosts_name_key key;
                struct hosts_name_range range;
                size_t first, n = hosts_snapshot_find_name(s, names[i], &first);
                assert_true(first + n <= s->n_entries);
                for (size_t k = 0; k < n; k++)
                        assert_true(s->by_name[first + k] < s->n_entries);
                assert_true(hosts_name_key_init(&key, names[i], strlen(names[i])));
                n = hosts_snapshot_find_key(s, &key, &range);
                for (size_t k = 0; k < n; k++) {
                        const struct hosts_snapshot_entry *e = hosts_name_range_entry(s, &range, k);
                        assert_true(e >= s->entries && e < s->entries + s->n_entries);
                        assert_memory_equal(e->name, key.name, key.len + 1);
                }
        }
        const char *addrs[] = { "10.77.0.101", "10.77.0.9", "192.168.0.1", "0.0.0.0" };
        for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
                size_t first, n = hosts_snapshot_find_addr(s, ip(addrs[i]), &first);
                assert_true(first + n <= s->n_entries);
                for (size_t k = 0; k < n; k++)
                        assert_true(s->by_addr[first + k] < s->n_entries);
        }
}

/* Mutates a fresh sample with fn; an unchecked parse that takes it must
 * keep every find inside. */
static void layout_parse_mutated(void (*fn)(uint8_t *data, struct hosts_snapshot_header *h)) {
        size_t size;
        uint8_t *data = sample_bytes(&size);
        struct hosts_snapshot s;
        fn(data, (struct hosts_snapshot_header *)data);
        if (hosts_snapshot_parse_layout(data, size, &s) == 0)
                check_finds_stay_inside(&s);
        free(data);
}

static void test_hostile_headers_and_entries(void **state) {
        (void)state;
        void (*mutations[])(uint8_t *, struct hosts_snapshot_header *) = {
                m_magic, m_version_old, m_version_new, m_header_size, m_entry_size, m_file_size, m_count_up,
                m_count_huge, m_count_max, m_entries_in_header, m_entries_unaligned,
                m_entries_past_end, m_by_name_past_end, m_by_addr_past_end, m_by_name_unaligned,
                m_domain_unterminated, m_domain_bad, m_domain_upper, m_name_unterminated,
                m_name_empty, m_name_upper, m_name_dot, m_owner_unterminated, m_expiry_negative,
                m_index_out_of_range, m_index_huge, m_by_name_swapped, m_by_name_repeat,
                m_by_addr_swapped, m_name_changed, m_addr_changed, m_name_padding, m_buckets_magic,
                m_buckets_reserved, m_buckets_odd, m_buckets_more, m_buckets_first, m_buckets_last,
                m_buckets_backwards, m_hash_changed, m_hash_swapped, m_bucket_shifted,
        };
        for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
                int r = parse_mutated(mutations[i]);
                if (r != -EBADMSG)
                        fail_msg("mutation %zu: got %d", i, r);
                layout_parse_mutated(mutations[i]);
        }
}

static void test_every_byte_flipped(void **state) {
        (void)state;
        /* No crash and no out-of-bounds read whatever single byte changes;
         * a byte in padding or in a harmless spot may still parse. */
        size_t size;
        uint8_t *data = sample_bytes(&size);
        for (size_t i = 0; i < size; i++)
                for (unsigned bit = 0; bit < 8; bit++) {
                        struct hosts_snapshot s;
                        data[i] ^= (uint8_t)(1u << bit);
                        if (hosts_snapshot_parse(data, size, &s) == 0) {
                                size_t first, n = hosts_snapshot_find_name(&s, "vm1", &first);
                                assert_true(first + n <= s.n_entries);
                        }
                        if (hosts_snapshot_parse_layout(data, size, &s) == 0)
                                check_finds_stay_inside(&s);
                        data[i] ^= (uint8_t)(1u << bit);
                }
        free(data);
}

static void test_unaligned_buffer_refused(void **state) {
        (void)state;
        size_t size;
        uint8_t *data = sample_bytes(&size);
        uint8_t *copy = malloc(size + 8);
        memcpy(copy + 4, data, size);
        struct hosts_snapshot s;
        assert_int_equal(hosts_snapshot_parse(copy + 4, size, &s), -EBADMSG);
        assert_int_equal(hosts_snapshot_parse(NULL, 0, &s), -EBADMSG);
        free(copy);
        free(data);
}

static char dir[] = "/tmp/test-hosts-snapshot.XXXXXX";

static void test_write_and_open(void **state) {
        (void)state;
        char path[64];
        struct hosts_snapshot_entry e[6];
        size_t n = sample(e);
        struct hosts_snapshot_file f, g;
        struct stat st;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/hosts", dir);

        assert_int_equal(hosts_snapshot_file_open(path, &f), -ENOENT);

        /* empty file (what a crash in the middle of a non-atomic write leaves) */
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(hosts_snapshot_file_open(path, &f), -EBADMSG);

        /* mkostemp's 0600 must not survive, whatever the umask */
        mode_t old = umask(077);
        assert_int_equal(hosts_snapshot_write(path, "lab", 1, e, n), 0);
        umask(old);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);

        assert_int_equal(hosts_snapshot_file_open(path, &f), 0);
        assert_int_equal(f.view.n_entries, 6);
        assert_true(hosts_snapshot_file_is_current(&f, &st));
        assert_false(hosts_snapshot_file_is_superseded(&f));

        /* a new snapshot is a new file: the old mapping stays whole and
         * is no longer current */
        assert_int_equal(hosts_snapshot_write(path, "lab", 2, e, 2), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_false(hosts_snapshot_file_is_current(&f, &st));
        /* the mapping learns it without a system call, and stays valid */
        assert_true(hosts_snapshot_file_is_superseded(&f));
        struct hosts_snapshot again;
        assert_int_equal(hosts_snapshot_parse(f.map, f.map_size, &again), 0);
        assert_int_equal(f.view.n_entries, 6);
        assert_int_equal(f.view.header->generation, 1);
        assert_int_equal(hosts_snapshot_file_open(path, &g), 0);
        assert_int_equal(g.view.n_entries, 2);
        assert_int_equal(g.view.header->generation, 2);
        assert_false(hosts_snapshot_file_is_superseded(&g));
        hosts_snapshot_file_close(&f);
        hosts_snapshot_file_close(&f); /* twice is harmless */
        hosts_snapshot_file_close(&g);

        /* no temporary file left behind */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "test \"$(ls -A %s)\" = hosts", dir);
        assert_int_equal(system(cmd), 0);

        /* a failed write leaves the old snapshot and no temporary file */
        e[0].name[0] = '\0';
        assert_int_equal(hosts_snapshot_write(path, "lab", 3, e, n), -EINVAL);
        assert_int_equal(hosts_snapshot_write("/nonexistent-dir/hosts", "lab", 3, e + 1, 1), -ENOENT);
        assert_int_equal(system(cmd), 0);

        /* a file that is not a snapshot is replaced but never written into */
        assert_int_equal(unlink(path), 0);
        char foreign[] = "/tmp/test-hosts-snapshot-foreign.XXXXXX";
        int ffd = mkstemp(foreign);
        assert_true(ffd >= 0);
        uint8_t zeros[256] = {};
        assert_int_equal(write(ffd, zeros, sizeof zeros), (ssize_t)sizeof zeros);
        assert_int_equal(rename(foreign, path), 0);
        assert_int_equal(hosts_snapshot_write(path, "lab", 4, e + 1, 1), 0);
        uint8_t back[256];
        assert_int_equal(pread(ffd, back, sizeof back, 0), (ssize_t)sizeof back);
        assert_memory_equal(back, zeros, sizeof zeros);
        close(ffd);
        /* nor into a snapshot that has another name too (a hard link) */
        assert_int_equal(link(path, foreign), 0);
        assert_int_equal(hosts_snapshot_write(path, "lab", 5, e + 1, 1), 0);
        assert_int_equal(hosts_snapshot_file_open(foreign, &f), 0);
        assert_false(hosts_snapshot_file_is_superseded(&f));
        hosts_snapshot_file_close(&f);
        unlink(foreign);

        /* not a regular file */
        unlink(path);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(hosts_snapshot_file_open(path, &f), -EBADMSG);
        rmdir(path);
        /* a symlink is not followed */
        assert_int_equal(symlink("/etc/hosts", path), 0);
        assert_int_equal(hosts_snapshot_file_open(path, &f), -ELOOP);
        unlink(path);
        rmdir(dir);
}

static void test_many_entries(void **state) {
        (void)state;
        const size_t n = 10000;
        struct hosts_snapshot_entry *e = calloc(n, sizeof *e);
        for (size_t i = 0; i < n; i++) {
                char name[16];
                struct in_addr a = { htonl(0x0a000000u + (uint32_t)((i * 7919) % n)) };
                snprintf(name, sizeof name, "vm%zu", i % 5000); /* every name twice */
                assert_int_equal(hosts_snapshot_entry_init(&e[i], a, mac1, 0, (uint32_t)i, "u", name), 0);
        }
        void *data;
        size_t size, first;
        struct hosts_snapshot s;
        assert_int_equal(hosts_snapshot_build("lab", 1, e, n, &data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        for (size_t i = 0; i < 5000; i += 97) {
                char name[16];
                snprintf(name, sizeof name, "vm%zu", i);
                assert_int_equal(hosts_snapshot_find_name(&s, name, &first), 2);
                /* equal names keep the caller's order: uid i, then i + 5000 */
                assert_string_equal(s.entries[s.by_name[first]].name, name);
                assert_int_equal(s.entries[s.by_name[first]].owner_uid, i);
                assert_int_equal(s.entries[s.by_name[first + 1]].owner_uid, i + 5000);
                /* the buckets give the same two, in the same order */
                struct hosts_name_key key;
                struct hosts_name_range range;
                assert_true(hosts_name_key_init(&key, name, strlen(name)));
                assert_int_equal(hosts_snapshot_find_key(&s, &key, &range), 2);
                assert_int_equal(hosts_name_range_entry(&s, &range, 0)->owner_uid, i);
                assert_int_equal(hosts_name_range_entry(&s, &range, 1)->owner_uid, i + 5000);
                snprintf(name, sizeof name, "vm%zu", i + 5000); /* not there */
                assert_true(hosts_name_key_init(&key, name, strlen(name)));
                assert_int_equal(hosts_snapshot_find_key(&s, &key, &range), 0);
        }
        for (size_t i = 0; i < n; i += 101) {
                struct in_addr a = { htonl(0x0a000000u + (uint32_t)i) };
                assert_int_equal(hosts_snapshot_find_addr(&s, a, &first), 1);
                assert_int_equal(s.entries[s.by_addr[first]].addr, a.s_addr);
        }
        free(data);
        free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_entry_init),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_buckets_and_old_files),
                cmocka_unit_test(test_empty_snapshot),
                cmocka_unit_test(test_build_refuses),
                cmocka_unit_test(test_truncated_at_every_offset),
                cmocka_unit_test(test_hostile_headers_and_entries),
                cmocka_unit_test(test_every_byte_flipped),
                cmocka_unit_test(test_unaligned_buffer_refused),
                cmocka_unit_test(test_write_and_open),
                cmocka_unit_test(test_many_entries),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
