/* write-hosts-snapshot PATH DOMAIN [GENERATION] < LINES
 *
 * Test tool: writes a hosts snapshot (common/hosts_snapshot.h) with the
 * real writer, one entry per input line:
 *     NAME IPV4 UID USER EXPIRY
 * UID and USER "-" for an unknown owner; EXPIRY 0 (infinite), seconds since
 * the epoch, or +N / -N seconds from now.  The MAC is derived from the
 * address.  Lets integration tests and benchmarks publish names without a
 * running vmnetd and dnsmasq. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hosts_snapshot.h"

static int parse_line(const char *line, unsigned lineno, struct hosts_snapshot_entry *ret) {
        char name[128], ip[64], uid[32], user[64], expiry[32];
        struct in_addr addr;

        if (sscanf(line, "%127s %63s %31s %63s %31s", name, ip, uid, user, expiry) != 5 ||
            inet_pton(AF_INET, ip, &addr) != 1) {
                fprintf(stderr, "line %u: want NAME IPV4 UID USER EXPIRY\n", lineno);
                return -EINVAL;
        }
        uint32_t a = ntohl(addr.s_addr);
        uint8_t mac[6] = { 0x52, 0x54, (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
        int64_t e = strtoll(expiry, NULL, 10);
        if (expiry[0] == '+' || expiry[0] == '-')
                e += (int64_t)time(NULL);
        uint32_t u = strcmp(uid, "-") == 0 ? HOSTS_OWNER_UNKNOWN : (uint32_t)strtoul(uid, NULL, 10);
        if (hosts_snapshot_entry_init(ret, addr, mac, e, u, strcmp(user, "-") == 0 ? NULL : user, name) < 0) {
                fprintf(stderr, "line %u: invalid entry\n", lineno);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        struct hosts_snapshot_entry *entries = NULL;
        size_t n = 0, allocated = 0;
        char line[512];
        unsigned lineno = 0;
        int r;

        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: %s PATH DOMAIN [GENERATION] < LINES\n", argv[0]);
                return 2;
        }
        while (fgets(line, sizeof line, stdin)) {
                lineno++;
                if (line[0] == '\n' || line[0] == '#')
                        continue;
                if (n == allocated) {
                        allocated = allocated ? 2 * allocated : 256;
                        entries = reallocarray(entries, allocated, sizeof *entries);
                        if (!entries) {
                                perror("reallocarray");
                                return 1;
                        }
                }
                if (parse_line(line, lineno, &entries[n]) < 0)
                        return 1;
                n++;
        }
        r = hosts_snapshot_write(argv[1], argv[2], argc > 3 ? strtoull(argv[3], NULL, 10) : 1, entries, n);
        free(entries);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        return 0;
}
