/* Lays an answer out in the caller's buffer the way glibc wants it back
 * from the gethostby*_r and gethostbyname4_r entry points.  The size
 * needed is computed first: on a short buffer nothing is written. */
#pragma once
#include <netdb.h>
#include <nss.h>
#include <stddef.h>

#include "hosts_lookup.h"

/* Fills *host with pointers into buffer: h_name = canonical, h_aliases =
 * { alias } (none when alias is ""), one IPv4 address.  Returns 0 or
 * -ERANGE (with *host and buffer untouched) when buflen is too small. */
int hostent_pack(const struct hosts_answer *a, struct hostent *host, char *buffer, size_t buflen);

/* Builds one struct gaih_addrtuple (AF_INET, name = canonical) in buffer
 * and returns it in *ret_tuple.  Returns 0 or -ERANGE. */
int addrtuple_pack(const struct hosts_answer *a, char *buffer, size_t buflen, struct gaih_addrtuple **ret_tuple);
