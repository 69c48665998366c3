// fuzz-sources: names/lease_event.c names/names_table.c
/* libFuzzer target for the names program: the input is a run of
 * dhcp-script calls, one a line, fields separated by spaces:
 *     ACTION MAC IP EXPIRY NAME|- [missing]
 * (EXPIRY and NAME become DNSMASQ_LEASE_EXPIRES and
 * DNSMASQ_SUPPLIED_HOSTNAME, "missing" sets DNSMASQ_DATA_MISSING), each
 * parsed and applied to one table, owner by the MAC's last byte.  After each
 * call: every entry is a valid one, no reserved name is published, no two
 * entries are one lease or share an address, the table makes a snapshot the
 * reader accepts and loads back in the same order, and the records for
 * dnsmasq name every address at most once per line. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease_event.h"
#include "names_table.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *env_expiry, *env_name;
static int env_missing;

static const char *fake_getenv(const char *name) {
        if (strcmp(name, "DNSMASQ_LEASE_EXPIRES") == 0)
                return env_expiry;
        if (strcmp(name, "DNSMASQ_SUPPLIED_HOSTNAME") == 0)
                return env_name;
        if (strcmp(name, "DNSMASQ_DATA_MISSING") == 0)
                return env_missing ? "1" : NULL;
        return NULL;
}

static const char *const reserved_names[] = { "localhost", "wpad", "labhost" };
static const struct names_reserved reserved = { reserved_names, 3 };

static void check_table(const struct names_table *t) {
        for (size_t i = 0; i < t->n; i++) {
                const struct hosts_snapshot_entry *e = &t->v[i];
                CHECK(!names_reserved_has(&reserved, e->name));
                CHECK(e->expiry == 0 || e->expiry > NOW);
                for (size_t j = 0; j < i; j++)
                        CHECK(t->v[j].addr != e->addr);
        }
        void *snap;
        size_t snap_size;
        struct hosts_snapshot s;
        CHECK(hosts_snapshot_build("lab", 1, t->v, t->n, &snap, &snap_size) == 0);
        CHECK(hosts_snapshot_parse(snap, snap_size, &s) == 0);
        struct names_table back = {};
        CHECK(names_table_load(&back, &s) == 0);
        CHECK(back.n == t->n);
        /* equal names keep their order (the claims) */
        for (size_t i = 0; i < back.n; i++)
                for (size_t j = i + 1; j < back.n; j++)
                        if (strcmp(back.v[i].name, back.v[j].name) == 0) {
                                size_t a = 0, b = 0;
                                while (memcmp(&t->v[a], &back.v[i], sizeof t->v[a]) != 0)
                                        a++;
                                while (memcmp(&t->v[b], &back.v[j], sizeof t->v[b]) != 0)
                                        b++;
                                CHECK(a < b);
                        }
        names_table_clear(&back);
        free(snap);
        struct strbuf shards[NAMES_DNS_SHARDS];
        CHECK(names_table_dns_hosts(t, "lab", shards) == 0);
        for (unsigned k = 0; k < NAMES_DNS_SHARDS; k++) {
                const char *text = strbuf_str(&shards[k]);
                CHECK(strlen(text) == shards[k].len && text[0] == '#' && text[shards[k].len - 1] == '\n');
        }
        names_dns_shards_free(shards);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct names_table t = {};
        char *copy = malloc(size + 1), *save = NULL;

        CHECK(copy);
        memcpy(copy, data, size);
        copy[size] = '\0';
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *argv[8] = { "vmnet-names" }, *f, *fsave = NULL;
                char *fields[6] = {};
                int nf = 0;
                for (f = strtok_r(line, " ", &fsave); f && nf < 6; f = strtok_r(NULL, " ", &fsave))
                        fields[nf++] = f;
                if (nf < 3)
                        continue;
                argv[1] = fields[0];
                argv[2] = fields[1];
                argv[3] = fields[2];
                env_expiry = fields[3];
                env_name = fields[4] && strcmp(fields[4], "-") != 0 ? fields[4] : NULL;
                env_missing = fields[5] != NULL;
                struct lease_event ev, before;
                memset(&ev, 0x5a, sizeof ev);
                before = ev;
                int r = lease_event_parse(4, argv, fake_getenv, &ev);
                if (r < 0) {
                        CHECK(memcmp(&ev, &before, sizeof ev) == 0);
                        continue;
                }
                CHECK(strnlen(ev.name, sizeof ev.name) < sizeof ev.name);
                char user[8];
                snprintf(user, sizeof user, "u%u", ev.mac[5] % 4);
                struct names_owner owner = { ev.mac[5] % 5 == 4 ? HOSTS_OWNER_UNKNOWN : 61000u + ev.mac[5] % 4,
                                             ev.mac[5] % 5 == 4 ? "" : user };
                CHECK(names_table_apply(&t, &ev, &owner, &reserved, NOW) == 0);
                check_table(&t);
        }
        names_table_clear(&t);
        free(copy);
        return 0;
}
