/* names_table.c: the lab's names as dnsmasq's events change them.  The
 * first claim of a name keeps NAME.DOMAIN (renewals keep their place; a
 * rename is a new claim); reserved names are never published; del, lost
 * dels and expiry take leases away; an owner vmnetd cannot tell leaves the
 * one known; the claim order survives a trip through the snapshot; what
 * dnsmasq is given to serve follows the same rules, among thousands of
 * leases in any order too; a table events made is in the order the
 * snapshot gives back; and the events that change nothing (dnsmasq's
 * start telling every lease again) leave the table as it was. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "names_table.h"

#define NOW 1700000000

static const char *const reserved_list[] = { "localhost", "wpad", "labhost" };
static const struct names_reserved reserved = { reserved_list, 3 };
static const struct names_owner nobody = { HOSTS_OWNER_UNKNOWN, "" };
static const struct names_owner stu1 = { 61001, "stu1" };
static const struct names_owner stu2 = { 61002, "stu2" };

static struct lease_event event(enum lease_action action, uint8_t mac_last, const char *addr, const char *name) {
        struct lease_event ev = { .action = action, .expiry = NOW + 3600, .name_known = name != NULL,
                                  .mac = { 0x52, 0x54, 0, 0, 0, mac_last } };
        inet_pton(AF_INET, addr, &ev.addr);
        if (name)
                strcpy(ev.name, name);
        return ev;
}

static void apply(struct names_table *t, enum lease_action action, uint8_t mac, const char *addr, const char *name,
                  const struct names_owner *owner) {
        struct lease_event ev = event(action, mac, addr, name);
        assert_int_equal(names_table_apply(t, &ev, owner, &reserved, NOW), 0);
}

/* The table as "name@owner:addr" a line, in its order. */
static char *describe(const struct names_table *t) {
        static char out[1024];
        out[0] = '\0';
        for (size_t i = 0; i < t->n; i++) {
                char a[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &t->v[i].addr, a, sizeof a);
                snprintf(out + strlen(out), sizeof out - strlen(out), "%s@%s:%s\n", t->v[i].name,
                         t->v[i].owner[0] ? t->v[i].owner : "?", a);
        }
        return out;
}

static void test_first_claim_keeps_the_name(void **state) {
        struct names_table t = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu1);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "vm1", &stu2);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "web", &stu2);
        assert_string_equal(describe(&t), "vm1@stu1:10.77.0.11\nvm1@stu2:10.77.0.12\nweb@stu2:10.77.0.13\n");
        /* stu1 renews (old): its claim stays first, its expiry moves */
        struct lease_event renew = event(LEASE_OLD, 1, "10.77.0.11", "vm1");
        renew.expiry = NOW + 7200;
        assert_int_equal(names_table_apply(&t, &renew, &stu1, &reserved, NOW), 0);
        assert_string_equal(describe(&t), "vm1@stu1:10.77.0.11\nvm1@stu2:10.77.0.12\nweb@stu2:10.77.0.13\n");
        assert_int_equal(t.v[0].expiry, NOW + 7200);
        /* stu1 renames its VM: a new claim, the last of its new name */
        apply(&t, LEASE_OLD, 1, "10.77.0.11", "web", &stu1);
        assert_string_equal(describe(&t), "vm1@stu2:10.77.0.12\nweb@stu2:10.77.0.13\nweb@stu1:10.77.0.11\n");
        names_table_clear(&t);
}

static void test_reserved_and_nameless(void **state) {
        struct names_table t = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "localhost", &stu1);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "wpad", &stu1);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "labhost", &stu1); /* the host's own name */
        apply(&t, LEASE_ADD, 4, "10.77.0.14", "", &stu1);
        assert_int_equal(t.n, 0);
        /* a published VM renamed to a reserved name, or to none, goes */
        apply(&t, LEASE_ADD, 5, "10.77.0.15", "vm5", &stu1);
        apply(&t, LEASE_ADD, 6, "10.77.0.16", "vm6", &stu1);
        assert_int_equal(t.n, 2);
        apply(&t, LEASE_OLD, 5, "10.77.0.15", "wpad", &stu1);
        apply(&t, LEASE_OLD, 6, "10.77.0.16", "", &stu1);
        assert_int_equal(t.n, 0);
        names_table_clear(&t);
}

static void test_dnsmasq_forgot_the_name(void **state) {
        struct names_table t = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu1);
        /* after dnsmasq's restart: DATA_MISSING, and vmnetd cannot tell yet */
        apply(&t, LEASE_OLD, 1, "10.77.0.11", NULL, &nobody);
        assert_string_equal(describe(&t), "vm1@stu1:10.77.0.11\n");
        assert_int_equal(t.v[0].owner_uid, 61001);
        /* a lease we never named, from dnsmasq's memory alone: nothing to publish */
        apply(&t, LEASE_OLD, 2, "10.77.0.12", NULL, &stu2);
        assert_int_equal(t.n, 1);
        names_table_clear(&t);
}

static void test_leases_go(void **state) {
        struct names_table t = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu1);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "vm2", &stu1);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "vm3", &stu2);
        apply(&t, LEASE_DEL, 2, "10.77.0.12", NULL, &nobody);
        assert_string_equal(describe(&t), "vm1@stu1:10.77.0.11\nvm3@stu2:10.77.0.13\n");
        /* a del for another MAC at the address removes nothing */
        apply(&t, LEASE_DEL, 9, "10.77.0.11", NULL, &nobody);
        assert_int_equal(t.n, 2);
        /* the address leased to another MAC: the old lease's del was lost */
        apply(&t, LEASE_ADD, 4, "10.77.0.13", "vm4", &stu2);
        assert_string_equal(describe(&t), "vm1@stu1:10.77.0.11\nvm4@stu2:10.77.0.13\n");
        /* expired by the next event */
        t.v[0].expiry = NOW - 1;
        apply(&t, LEASE_OLD, 4, "10.77.0.13", "vm4", &stu2);
        assert_string_equal(describe(&t), "vm4@stu2:10.77.0.13\n");
        names_table_clear(&t);
}

/* back: t as the snapshot written from it gives it back. */
static void through_the_snapshot(const struct names_table *t, struct names_table *back) {
        struct hosts_snapshot s;
        void *data;
        size_t size;
        assert_int_equal(hosts_snapshot_build("lab", 1, t->v, t->n, &data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        assert_int_equal(names_table_load(back, &s), 0);
        free(data);
}

static void test_order_survives_the_snapshot(void **state) {
        struct names_table t = {}, back = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu2);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "db", &stu1);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "vm1", &stu1);
        apply(&t, LEASE_ADD, 4, "10.77.0.14", "vm1", &nobody);
        through_the_snapshot(&t, &back);
        assert_string_equal(describe(&back), "db@stu1:10.77.0.12\nvm1@stu2:10.77.0.11\nvm1@stu1:10.77.0.13\nvm1@?:10.77.0.14\n");
        names_table_clear(&t);
        names_table_clear(&back);
}

/* dnsmasq's records for t, every shard's lines one after the other (the
 * comment line each begins with left out), into *ret (malloc'ed); each
 * line checked to be in its address's shard.  How many shards hold a
 * line into *ret_used if not NULL. */
static void dns_hosts_of(const struct names_table *t, const char *domain, char **ret, size_t *ret_used) {
        struct strbuf shards[NAMES_DNS_SHARDS], all = {};
        size_t used = 0;

        assert_int_equal(names_table_dns_hosts(t, domain, shards), 0);
        for (unsigned k = 0; k < NAMES_DNS_SHARDS; k++) {
                const char *text = strbuf_str(&shards[k]);
                assert_int_equal(text[0], '#');
                const char *line = strchr(text, '\n') + 1;
                used += *line != '\0';
                for (const char *nl; *line; line = nl + 1) {
                        char addr[INET_ADDRSTRLEN] = "";
                        struct in_addr a;
                        nl = strchr(line, '\n');
                        assert_non_null(nl);
                        snprintf(addr, sizeof addr, "%.*s", (int)strcspn(line, " "), line);
                        assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
                        if (names_dns_shard(a.s_addr) != k)
                                fail_msg("%s is in file %u, not %u", addr, k, names_dns_shard(a.s_addr));
                        strbuf_put(&all, line, (size_t)(nl - line + 1));
                }
        }
        names_dns_shards_free(shards);
        strbuf_puts(&all, "");
        assert_int_equal(all.error, 0);
        *ret = all.data;
        if (ret_used)
                *ret_used = used;
}

static void test_dns_hosts(void **state) {
        struct names_table t = {};
        char *text = NULL;
        const struct names_owner odd = { 61005, "Odd.User" }, upper = { 61006, "Bob" };
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu2);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "vm1", &stu1);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "db", &nobody);
        apply(&t, LEASE_ADD, 4, "10.77.0.14", "db", &nobody);   /* no owner, not first: nothing */
        apply(&t, LEASE_ADD, 5, "10.77.0.15", "odd", &odd);     /* a user who is no DNS label */
        apply(&t, LEASE_ADD, 6, "10.77.0.16", "vm6", &upper);
        dns_hosts_of(&t, "lab", &text, NULL);
        const char *want = "10.77.0.13 db.lab\n"
                           "10.77.0.15 odd.lab\n"
                           "10.77.0.11 vm1.stu2.lab vm1.lab\n"
                           "10.77.0.12 vm1.stu1.lab\n"
                           "10.77.0.16 vm6.bob.lab vm6.lab\n";
        const char *body = text;
        /* in claim order within a file, not name order: compare line sets */
        assert_int_equal(strlen(body), strlen(want));
        for (const char *line = want; *line;) {
                const char *nl = strchr(line, '\n');
                char one[64];
                snprintf(one, sizeof one, "%.*s", (int)(nl - line + 1), line);
                if (!strstr(body, one))
                        fail_msg("missing line '%s' in:\n%s", one, body);
                line = nl + 1;
        }
        free(text);
        /* no domain: NAME.USER and NAME */
        dns_hosts_of(&t, "", &text, NULL);
        assert_non_null(strstr(text, "10.77.0.11 vm1.stu2 vm1\n"));
        free(text);
        names_table_clear(&t);
}

/* A copy of t, to compare with after an event. */
static struct names_table copy_of(const struct names_table *t) {
        struct names_table c = { .n = t->n, .allocated = t->n };
        c.v = malloc((t->n ? t->n : 1) * sizeof *c.v);
        assert_non_null(c.v);
        memcpy(c.v, t->v, t->n * sizeof *c.v);
        return c;
}

/* Whether t is what the snapshot written from written gives back. */
static bool is_snapshot_of(const struct names_table *t, const struct names_table *written) {
        struct hosts_snapshot s;
        void *data;
        size_t size;
        assert_int_equal(hosts_snapshot_build("lab", 1, written->v, written->n, &data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        bool is = names_table_is_snapshot(t, &s);
        free(data);
        return is;
}

static void test_unchanged_events(void **state) {
        struct names_table t = {};
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu1);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "vm2", &stu2);
        struct names_table before = copy_of(&t);
        char *text_before = NULL, *text_after = NULL;
        dns_hosts_of(&t, "lab", &text_before, NULL);
        /* dnsmasq's start: every lease again, same expiry, its name
         * forgotten (or not), vmnetd not answering (or answering) */
        apply(&t, LEASE_OLD, 1, "10.77.0.11", NULL, &nobody);
        apply(&t, LEASE_OLD, 2, "10.77.0.12", "vm2", &stu2);
        assert_true(is_snapshot_of(&t, &before));
        /* a renewal: the expiry moves (the snapshot must follow: a name is
         * not answered past it), dnsmasq's records stay the same text */
        struct lease_event renew = event(LEASE_OLD, 1, "10.77.0.11", "vm1");
        renew.expiry = NOW + 7200;
        assert_int_equal(names_table_apply(&t, &renew, &stu1, &reserved, NOW), 0);
        assert_false(is_snapshot_of(&t, &before));
        dns_hosts_of(&t, "lab", &text_after, NULL);
        assert_string_equal(text_after, text_before);
        /* a new lease is a change */
        names_table_clear(&before);
        before = copy_of(&t);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "vm3", &stu1);
        assert_false(is_snapshot_of(&t, &before));
        free(text_before);
        free(text_after);
        names_table_clear(&before);
        names_table_clear(&t);
}

/* A table events made is the table the snapshot gives back, in the same
 * order: the next event's run (dnsmasq's "old" right after each "add",
 * once it named the lease after its record) then writes dnsmasq's records
 * in the same order, and so leaves their files alone (each replace makes
 * dnsmasq reread the file and go through all its leases). */
static void test_events_keep_the_snapshot_order(void **state) {
        struct names_table t = {}, back = {};
        char *text = NULL, *text_back = NULL;
        (void)state;
        apply(&t, LEASE_ADD, 1, "10.77.0.11", "vm1", &stu2);
        apply(&t, LEASE_ADD, 2, "10.77.0.12", "db", &stu1);
        apply(&t, LEASE_ADD, 3, "10.77.0.13", "vm1", &stu1);
        apply(&t, LEASE_ADD, 4, "10.77.0.14", "alpha", &nobody);
        apply(&t, LEASE_OLD, 2, "10.77.0.12", "zulu", &stu1); /* renamed: a new claim */
        assert_string_equal(describe(&t), "alpha@?:10.77.0.14\nvm1@stu2:10.77.0.11\nvm1@stu1:10.77.0.13\n"
                                          "zulu@stu1:10.77.0.12\n");
        through_the_snapshot(&t, &back);
        assert_true(is_snapshot_of(&t, &t));
        assert_true(is_snapshot_of(&back, &t));
        dns_hosts_of(&t, "lab", &text, NULL);
        dns_hosts_of(&back, "lab", &text_back, NULL);
        assert_string_equal(text, text_back);
        free(text);
        free(text_back);
        names_table_clear(&t);
        names_table_clear(&back);
}

/* Thousands of leases, few names, claims in any order: NAME.DOMAIN is
 * the earliest entry of each name, as a scan of the earlier ones says. */
static void test_first_claims_among_many(void **state) {
        enum { LEASES = 3000, NAMES = 13 };
        struct names_table t = {};
        (void)state;
        for (unsigned i = 0; i < LEASES; i++) {
                struct lease_event ev = { .action = LEASE_ADD, .expiry = NOW + 3600, .name_known = true,
                                          .mac = { 0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };
                ev.addr.s_addr = htonl(0x0a4d0000u + i + 1);
                snprintf(ev.name, sizeof ev.name, "n%u", (i * 7 + i / 5) % NAMES);
                assert_int_equal(names_table_apply(&t, &ev, &nobody, &reserved, NOW), 0);
        }
        assert_int_equal(t.n, LEASES);
        char *text = NULL;
        size_t used, lines = 0;
        dns_hosts_of(&t, "lab", &text, &used);
        for (const char *p = text; *p; p = strchr(p, '\n') + 1)
                lines++;
        assert_int_equal(lines, NAMES); /* no owner: the first claims alone */
        for (unsigned k = 0; k < NAMES; k++) {
                char name[16], line[64], a[INET_ADDRSTRLEN];
                size_t first = 0;
                snprintf(name, sizeof name, "n%u", k);
                while (first < t.n && strcmp(t.v[first].name, name) != 0)
                        first++;
                assert_true(first < t.n);
                inet_ntop(AF_INET, &t.v[first].addr, a, sizeof a);
                snprintf(line, sizeof line, "%s %s.lab\n", a, name);
                const char *at = strstr(text, line);
                if (!at || (at != text && at[-1] != '\n'))
                        fail_msg("%s: not the first claim's line '%s'", name, line);
        }
        free(text);
        names_table_clear(&t);
}

/* A lab's records spread over dnsmasq's files, so that an event makes it
 * reread a small one: 2000 leases of consecutive addresses, none of the
 * files with more than twice its share. */
static void test_records_spread_over_files(void **state) {
        enum { LEASES = 2000 };
        struct names_table t = {};
        struct strbuf shards[NAMES_DNS_SHARDS];
        (void)state;
        for (unsigned i = 0; i < LEASES; i++) {
                struct lease_event ev = { .action = LEASE_ADD, .expiry = NOW + 3600, .name_known = true,
                                          .mac = { 0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };
                ev.addr.s_addr = htonl(0x0a4d0100u + i);
                snprintf(ev.name, sizeof ev.name, "vm%u", i);
                assert_int_equal(names_table_apply(&t, &ev, &stu1, &reserved, NOW), 0);
        }
        assert_int_equal(names_table_dns_hosts(&t, "lab", shards), 0);
        size_t total = 0;
        for (unsigned k = 0; k < NAMES_DNS_SHARDS; k++) {
                size_t lines = 0;
                for (const char *p = strbuf_str(&shards[k]); (p = strchr(p, '\n')); p++)
                        lines++;
                lines--; /* the comment */
                total += lines;
                if (lines > 2 * LEASES / NAMES_DNS_SHARDS)
                        fail_msg("file %u has %zu of %d records", k, lines, LEASES);
        }
        assert_int_equal(total, LEASES);
        names_dns_shards_free(shards);
        names_table_clear(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_claim_keeps_the_name),
                cmocka_unit_test(test_reserved_and_nameless),
                cmocka_unit_test(test_dnsmasq_forgot_the_name),
                cmocka_unit_test(test_leases_go),
                cmocka_unit_test(test_order_survives_the_snapshot),
                cmocka_unit_test(test_dns_hosts),
                cmocka_unit_test(test_unchanged_events),
                cmocka_unit_test(test_events_keep_the_snapshot_order),
                cmocka_unit_test(test_first_claims_among_many),
                cmocka_unit_test(test_records_spread_over_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
