/* The lab's health as vmnet status shows it (see lab_health.h). */
#define _GNU_SOURCE
#include <stdio.h>

#include "client.h"
#include "client_messages.h"
#include "lab_health.h"

#define HEALTH_TIMEOUT_MS 5000

bool cli_lab_health(struct vmnet_lab_health *ret) {
        struct vmnet_request req = { .type = VMNET_MSG_LAB_HEALTH };
        struct vmnet_reply rep;

        if (vmnet_client_request(vmnet_client_socket_path(), &req, &rep, NULL, HEALTH_TIMEOUT_MS) < 0 ||
            rep.status != VMNET_OK)
                return false;
        *ret = rep.health;
        return true;
}

void lab_health_print_text(const struct vmnet_lab_health *h) {
        if (h->dnsmasq == VMNET_DNSMASQ_DOWN) {
                printf("lab       NOT WORKING: its DHCP and DNS (dnsmasq) are down%s%s;\n", h->problem[0] ? ": " : "",
                       h->problem);
                if (h->retry_seconds > 0)
                        printf("          vmnetd starts them again in %u s", h->retry_seconds);
                else
                        printf("          vmnetd is starting them again");
                if (h->dnsmasq_failures > 1)
                        printf(" (%u failures in a row)", h->dnsmasq_failures);
                printf(".\n"
                       "          Your VMs keep the addresses they have until their leases end; a new VM\n"
                       "          gets none, and the VMs cannot look up lab names.  Wait a minute; if it\n"
                       "          lasts, tell the lab's admin (it is in: journalctl -u vmnetd).\n");
        }
        if (h->firewall_missing)
                printf("lab       NOT WORKING: its firewall table is not in place, so your VMs may not reach\n"
                       "          beyond the lab; tell the lab's admin (journalctl -u vmnetd).\n");
}

void lab_health_json(struct json_writer *w, const char *key, const struct vmnet_lab_health *h) {
        static const char *const states[] = {
                [VMNET_DNSMASQ_RUNNING] = "running",
                [VMNET_DNSMASQ_NOT_USED] = "not used",
                [VMNET_DNSMASQ_DOWN] = "down",
        };

        if (!h) {
                jw_null(w, key);
                return;
        }
        jw_begin_object(w, key);
        jw_bool(w, "healthy", h->dnsmasq != VMNET_DNSMASQ_DOWN && !h->firewall_missing);
        jw_string(w, "dnsmasq", h->dnsmasq < sizeof states / sizeof states[0] && states[h->dnsmasq] ? states[h->dnsmasq]
                                                                                                   : "unknown");
        jw_uint(w, "dnsmasq_failures", h->dnsmasq_failures);
        jw_uint(w, "retry_in", h->retry_seconds);
        jw_bool(w, "firewall", !h->firewall_missing);
        jw_string(w, "problem", h->problem);
        jw_end_object(w);
}
