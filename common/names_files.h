/* Where the names program writes in run_dir: vmnetd makes the directory
 * and gives it to dnsmasq (hostsdir), the names program fills it. */
#pragma once

#define NAMES_DNS_DIR "dns"
