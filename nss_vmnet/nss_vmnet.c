/* libnss_vmnet.so.2: the hosts database of the lab's VMs, answered from
 * the snapshot vmnetd publishes at /run/vmnet/hosts.  The path is fixed
 * (no environment: setuid programs resolve too).  Thin entry points over
 * hosts_lookup_name()/hosts_lookup_addr(); IPv4 only.
 *
 * Status conventions glibc relies on:
 *   unknown name, IPv6, no snapshot  NSS_STATUS_NOTFOUND, ENOENT, HOST_NOT_FOUND
 *   buffer too small                 NSS_STATUS_TRYAGAIN, ERANGE, NETDB_INTERNAL
 *                                    (glibc then grows the buffer and asks again)
 * A missing or broken snapshot is "not found", not UNAVAIL: vmnet not
 * running must not disturb the rest of the lookup chain. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "caller_uid.h"
#include "hostent_pack.h"
#include "hosts_lookup.h"
#include "snapshot_cache.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT enum nss_status _nss_vmnet_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                                   size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp);
EXPORT enum nss_status _nss_vmnet_gethostbyname3_r(const char *name, int af, struct hostent *host, char *buffer,
                                                   size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp,
                                                   char **canonp);
EXPORT enum nss_status _nss_vmnet_gethostbyname2_r(const char *name, int af, struct hostent *host, char *buffer,
                                                   size_t buflen, int *errnop, int *h_errnop);
EXPORT enum nss_status _nss_vmnet_gethostbyname_r(const char *name, struct hostent *host, char *buffer,
                                                  size_t buflen, int *errnop, int *h_errnop);
EXPORT enum nss_status _nss_vmnet_gethostbyaddr2_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                                   char *buffer, size_t buflen, int *errnop, int *h_errnop,
                                                   int32_t *ttlp);
EXPORT enum nss_status _nss_vmnet_gethostbyaddr_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                                  char *buffer, size_t buflen, int *errnop, int *h_errnop);

/* The answer is written straight into the caller's struct (only on
 * success); the caller's buffer is filled afterwards, outside the lock. */
struct name_request {
        const char *name;
        int64_t now;
        struct hosts_answer *answer;
};

static int lookup_name_locked(const struct hosts_snapshot *s, void *userdata) {
        struct name_request *req = userdata;
        return hosts_lookup_name(s, req->name, caller_uid, req->now, req->answer);
}

struct addr_request {
        struct in_addr addr;
        int64_t now;
        struct hosts_answer *answer;
};

static int lookup_addr_locked(const struct hosts_snapshot *s, void *userdata) {
        struct addr_request *req = userdata;
        return hosts_lookup_addr(s, req->addr, req->now, req->answer);
}

static int lookup_name(const char *name, struct hosts_answer *ret) {
        time_t now = time(NULL);
        struct name_request req = { .name = name, .now = (int64_t)now, .answer = ret };
        return snapshot_cache_run(HOSTS_SNAPSHOT_PATH, now, lookup_name_locked, &req);
}

static enum nss_status not_found(int *errnop, int *h_errnop) {
        *errnop = ENOENT;
        *h_errnop = HOST_NOT_FOUND;
        return NSS_STATUS_NOTFOUND;
}

static enum nss_status buffer_too_small(int *errnop, int *h_errnop) {
        *errnop = ERANGE;
        *h_errnop = NETDB_INTERNAL;
        return NSS_STATUS_TRYAGAIN;
}

enum nss_status _nss_vmnet_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                            size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp) {
        struct hosts_answer a;
        struct gaih_addrtuple *t;

        if (!name || lookup_name(name, &a) < 0)
                return not_found(errnop, h_errnop);
        if (addrtuple_pack(&a, buffer, buflen, &t) < 0)
                return buffer_too_small(errnop, h_errnop);
        /* Older glibc hands in a tuple to fill, newer a NULL to point. */
        if (*pat)
                **pat = *t;
        else
                *pat = t;
        if (ttlp)
                *ttlp = 0;
        *errnop = 0;
        *h_errnop = NETDB_SUCCESS;
        return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_vmnet_gethostbyname3_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp,
                                            char **canonp) {
        struct hosts_answer a;

        if (af == AF_UNSPEC)
                af = AF_INET;
        if (af != AF_INET) {
                if (af != AF_INET6) {
                        *errnop = EAFNOSUPPORT;
                        *h_errnop = NO_RECOVERY;
                        return NSS_STATUS_UNAVAIL;
                }
                return not_found(errnop, h_errnop);
        }
        if (!name || lookup_name(name, &a) < 0)
                return not_found(errnop, h_errnop);
        if (hostent_pack(&a, host, buffer, buflen) < 0)
                return buffer_too_small(errnop, h_errnop);
        if (ttlp)
                *ttlp = 0;
        if (canonp)
                *canonp = host->h_name;
        *errnop = 0;
        *h_errnop = NETDB_SUCCESS;
        return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_vmnet_gethostbyname2_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *h_errnop) {
        return _nss_vmnet_gethostbyname3_r(name, af, host, buffer, buflen, errnop, h_errnop, NULL, NULL);
}

enum nss_status _nss_vmnet_gethostbyname_r(const char *name, struct hostent *host, char *buffer,
                                           size_t buflen, int *errnop, int *h_errnop) {
        return _nss_vmnet_gethostbyname3_r(name, AF_INET, host, buffer, buflen, errnop, h_errnop, NULL, NULL);
}

enum nss_status _nss_vmnet_gethostbyaddr2_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                            char *buffer, size_t buflen, int *errnop, int *h_errnop,
                                            int32_t *ttlp) {
        struct hosts_answer a;
        time_t now = time(NULL);
        struct addr_request req = { .now = (int64_t)now, .answer = &a };

        if (af == AF_INET6)
                return not_found(errnop, h_errnop);
        if (af != AF_INET) {
                *errnop = EAFNOSUPPORT;
                *h_errnop = NO_RECOVERY;
                return NSS_STATUS_UNAVAIL;
        }
        if (!addr || len != sizeof req.addr) {
                *errnop = EINVAL;
                *h_errnop = NO_RECOVERY;
                return NSS_STATUS_UNAVAIL;
        }
        memcpy(&req.addr, addr, sizeof req.addr);
        if (snapshot_cache_run(HOSTS_SNAPSHOT_PATH, now, lookup_addr_locked, &req) < 0)
                return not_found(errnop, h_errnop);
        if (hostent_pack(&a, host, buffer, buflen) < 0)
                return buffer_too_small(errnop, h_errnop);
        if (ttlp)
                *ttlp = 0;
        *errnop = 0;
        *h_errnop = NETDB_SUCCESS;
        return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_vmnet_gethostbyaddr_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                           char *buffer, size_t buflen, int *errnop, int *h_errnop) {
        return _nss_vmnet_gethostbyaddr2_r(addr, len, af, host, buffer, buflen, errnop, h_errnop, NULL);
}
