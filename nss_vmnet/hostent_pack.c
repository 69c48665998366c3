#define _GNU_SOURCE
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "hostent_pack.h"

/* Bytes to skip at p for alignment a. */
static size_t pad_for(const char *p, size_t a) {
        return (a - (uintptr_t)p % a) % a;
}

int hostent_pack(const struct hosts_answer *a, struct hostent *host, char *buffer, size_t buflen) {
        size_t canonical_len = a->canonical_len + 1;
        size_t alias_len = a->alias_len ? a->alias_len + 1 : 0;
        size_t pad = pad_for(buffer, alignof(char *));
        /* pointer arrays first (aligned), then the address, then the strings */
        size_t need = pad + 2 * sizeof(char *) + 2 * sizeof(char *) + sizeof a->addr + canonical_len + alias_len;

        if (buflen < need)
                return -ERANGE;

        char **aliases = (char **)(void *)(buffer + pad);
        char **addr_list = aliases + 2;
        char *addr = (char *)(addr_list + 2);
        char *canonical = addr + sizeof a->addr;
        char *alias = canonical + canonical_len;

        memcpy(addr, &a->addr, sizeof a->addr);
        memcpy(canonical, a->canonical, canonical_len);
        if (alias_len > 0) {
                memcpy(alias, a->alias, alias_len);
                aliases[0] = alias;
                aliases[1] = NULL;
        } else
                aliases[0] = aliases[1] = NULL;
        addr_list[0] = addr;
        addr_list[1] = NULL;

        host->h_name = canonical;
        host->h_aliases = aliases;
        host->h_addrtype = AF_INET;
        host->h_length = sizeof a->addr;
        host->h_addr_list = addr_list;
        return 0;
}

int addrtuple_pack(const struct hosts_answer *a, char *buffer, size_t buflen, struct gaih_addrtuple **ret_tuple) {
        size_t canonical_len = a->canonical_len + 1;
        size_t pad = pad_for(buffer, alignof(struct gaih_addrtuple));
        size_t need = pad + sizeof(struct gaih_addrtuple) + canonical_len;

        if (buflen < need)
                return -ERANGE;

        struct gaih_addrtuple *t = (struct gaih_addrtuple *)(void *)(buffer + pad);
        char *canonical = (char *)(t + 1);

        memcpy(canonical, a->canonical, canonical_len);
        *t = (struct gaih_addrtuple) {
                .next = NULL,
                .name = canonical,
                .family = AF_INET,
                .scopeid = 0,
        };
        memcpy(t->addr, &a->addr, sizeof a->addr);
        *ret_tuple = t;
        return 0;
}
