/* libnss_vmnetnull.so.2, for tests/bench/nss only: a hosts module that
 * answers nothing (every name and address: not found) and does nothing
 * else.  A lookup through glibc with "hosts: vmnetnull" costs what glibc
 * itself costs around any module (dispatch, resolver context, the buffer),
 * the floor libnss_vmnet is measured against.  The same entry points as
 * libnss_vmnet, so that glibc finds and binds the same. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define EXPORT __attribute__((visibility("default")))

static enum nss_status nothing(int *errnop, int *h_errnop) {
        *errnop = ENOENT;
        *h_errnop = HOST_NOT_FOUND;
        return NSS_STATUS_NOTFOUND;
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                                       size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp) {
        (void)name, (void)pat, (void)buffer, (void)buflen, (void)ttlp;
        return nothing(errnop, h_errnop);
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyname3_r(const char *name, int af, struct hostent *host, char *buffer,
                                                       size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp,
                                                       char **canonp) {
        (void)name, (void)af, (void)host, (void)buffer, (void)buflen, (void)ttlp, (void)canonp;
        return nothing(errnop, h_errnop);
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyname2_r(const char *name, int af, struct hostent *host, char *buffer,
                                                       size_t buflen, int *errnop, int *h_errnop) {
        (void)name, (void)af, (void)host, (void)buffer, (void)buflen;
        return nothing(errnop, h_errnop);
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyname_r(const char *name, struct hostent *host, char *buffer,
                                                      size_t buflen, int *errnop, int *h_errnop) {
        (void)name, (void)host, (void)buffer, (void)buflen;
        return nothing(errnop, h_errnop);
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyaddr2_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                                       char *buffer, size_t buflen, int *errnop, int *h_errnop,
                                                       int32_t *ttlp) {
        (void)addr, (void)len, (void)af, (void)host, (void)buffer, (void)buflen, (void)ttlp;
        return nothing(errnop, h_errnop);
}

EXPORT enum nss_status _nss_vmnetnull_gethostbyaddr_r(const void *addr, socklen_t len, int af, struct hostent *host,
                                                      char *buffer, size_t buflen, int *errnop, int *h_errnop) {
        (void)addr, (void)len, (void)af, (void)host, (void)buffer, (void)buflen;
        return nothing(errnop, h_errnop);
}
