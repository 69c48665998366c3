/* Where the names program writes in run_dir: vmnetd makes the directory
 * and gives it to dnsmasq (hostsdir), the names program fills it; and the
 * lab's lease file, which the names program keeps for dnsmasq
 * (names/lease_file.h) and vmnetd reads (common/leases.h). */
#pragma once

#define NAMES_DNS_DIR "dns"
#define NAMES_LEASE_FILE "dnsmasq.leases"
