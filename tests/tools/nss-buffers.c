/* nss-buffers NAME ADDRESS: through glibc's reentrant API (so through
 * nsswitch.conf and libnss_vmnet), asks for NAME and for ADDRESS with every
 * buffer size from 0 up: each short buffer must give ERANGE (glibc's sign
 * to grow the buffer and retry), never a crash or a wrong answer; from the
 * first size that works, every size must work, with all pointers inside
 * the buffer and NAME resolving to ADDRESS.  Also: AF_INET6 is not found
 * cleanly.  Buffers are heap blocks of exactly the size passed, so a
 * sanitizer or valgrind sees any write past them.  Prints the sizes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 4096

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

static int inside(const void *p, const char *buf, size_t len, size_t size) {
        return (const char *)p >= buf && (const char *)p + size <= buf + len;
}

static void check_hostent(const char *what, const struct hostent *he, const char *buf, size_t len, struct in_addr want) {
        CHECK(he->h_addrtype == AF_INET && he->h_length == 4, "%s: not AF_INET", what);
        CHECK(inside(he->h_name, buf, len, strlen(he->h_name) + 1), "%s: h_name outside buffer", what);
        CHECK(inside(he->h_aliases, buf, len, sizeof(char *)), "%s: h_aliases outside buffer", what);
        for (char **a = he->h_aliases; *a; a++)
                CHECK(inside(*a, buf, len, strlen(*a) + 1) && inside(a + 1, buf, len, sizeof(char *)),
                      "%s: alias outside buffer", what);
        CHECK(inside(he->h_addr_list, buf, len, 2 * sizeof(char *)), "%s: h_addr_list outside buffer", what);
        CHECK(he->h_addr_list[0] && inside(he->h_addr_list[0], buf, len, 4), "%s: address outside buffer", what);
        CHECK(he->h_addr_list[0] && memcmp(he->h_addr_list[0], &want, 4) == 0, "%s: wrong address", what);
}

/* kind 0: by name, 1: by address.  Returns the first size that worked. */
static size_t sweep(int kind, const char *name, struct in_addr addr) {
        size_t first_ok = 0;

        for (size_t len = 0; len <= LIMIT; len++) {
                char *buf = malloc(len ? len : 1);
                struct hostent he, *result = NULL;
                int herr = 0, r;

                if (!buf)
                        abort();
                if (kind == 0)
                        r = gethostbyname2_r(name, AF_INET, &he, buf, len, &result, &herr);
                else
                        r = gethostbyaddr_r(&addr, sizeof addr, AF_INET, &he, buf, len, &result, &herr);
                if (r == ERANGE) {
                        CHECK(first_ok == 0, "%s: ERANGE at %zu after success at %zu", name, len, first_ok);
                        CHECK(result == NULL, "%s: result set with ERANGE at %zu", name, len);
                } else {
                        CHECK(r == 0 && result == &he, "%s: size %zu: r=%d h_errno=%d", name, len, r, herr);
                        if (r == 0 && result) {
                                check_hostent(name, &he, buf, len, addr);
                                if (!first_ok)
                                        first_ok = len;
                                if (len > first_ok + 64) {
                                        free(buf);
                                        break;
                                }
                        }
                }
                free(buf);
        }
        CHECK(first_ok > 0, "%s: never resolved with buffers up to %d bytes", name, LIMIT);
        return first_ok;
}

int main(int argc, char *argv[]) {
        struct in_addr addr;

        if (argc != 3 || inet_pton(AF_INET, argv[2], &addr) != 1) {
                fprintf(stderr, "usage: %s NAME ADDRESS\n", argv[0]);
                return 2;
        }
        size_t by_name = sweep(0, argv[1], addr);
        size_t by_addr = sweep(1, argv[1], addr);
        printf("%s: ERANGE below %zu bytes by name, %zu by address\n", argv[1], by_name, by_addr);

        /* IPv6: not found, and not an error that would stop the chain. */
        char buf[1024];
        struct hostent he, *result = (struct hostent *)1;
        int herr = 0;
        int r = gethostbyname2_r(argv[1], AF_INET6, &he, buf, sizeof buf, &result, &herr);
        CHECK(r == 0 || r == ENOENT, "AF_INET6: r=%d", r);
        CHECK(result == NULL && herr == HOST_NOT_FOUND, "AF_INET6: result %p h_errno %d", (void *)result, herr);
        return failures ? 1 : 0;
}
