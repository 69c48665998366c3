/* The lab's DHCP lease file, run_dir/dnsmasq.leases, kept by the names
 * program: dnsmasq runs with leasefile-ro and writes none itself.  Before,
 * dnsmasq rewrote its whole file (every lease, 16 writes at 1000 leases)
 * before it answered a client and told the names program, so a new name
 * waited for the other 999 leases.  Now dnsmasq hands each lease over at
 * once, vmnet-names publishes the name first and records the lease after;
 * at its start dnsmasq asks for them back ("vmnet-names init").
 *
 * The file stays in dnsmasq's own format (one lease a line, "EXPIRY MAC IP
 * NAME|* CLIENTID|*"; common/leases.h reads it for the guard and the lab
 * view), so a lab upgraded from an older vmnet keeps its leases.  Pure
 * text work here (no I/O): names_publish.c reads and writes the file. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "lease_event.h"
#include "strbuf.h"

/* The file text (len bytes, need not be NUL-terminated) after event ev, as
 * of time now, appended to out: the line of ev's address is replaced in
 * place (add, old; a new lease's line goes first, as dnsmasq puts it) or
 * dropped (del); lines of leases that expired by now and a last line
 * without its newline (a crash, or an older dnsmasq cut short) are
 * dropped, any other line is kept as it is.  0, or out's error (-ENOMEM).
 *
 * Returns 1 (out untouched) when the text holds ev's own line already,
 * once, and ends with a newline: dnsmasq's start tells every lease it was
 * handed again ("old"), and at 10,000 leases reading each line of the file
 * for each of them took most of the names program's time.  The rest of
 * the file stays as it is until the next change: leases that expired
 * meanwhile, and another line of the same address (never dnsmasq's), go
 * then. */
int lease_file_apply(const char *text, size_t len, const struct lease_event *ev, int64_t now, struct strbuf *out);
