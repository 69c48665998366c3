/* The lab's health as vmnet status shows it (see lab_health.h). */
#define _GNU_SOURCE
#include <stdio.h>

#include "client.h"
#include "client_messages.h"
#include "json_string.h"
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

static void put_json(const char *s) {
        char buf[6 * (VMNET_PROBLEM_MAX + 1) + 3];
        json_string(s, buf, sizeof buf);
        fputs(buf, stdout);
}

void lab_health_print_json(const struct vmnet_lab_health *h) {
        static const char *const states[] = {
                [VMNET_DNSMASQ_RUNNING] = "running",
                [VMNET_DNSMASQ_NOT_USED] = "not used",
                [VMNET_DNSMASQ_DOWN] = "down",
        };

        if (!h) {
                fputs("null", stdout);
                return;
        }
        printf("{\"healthy\": %s, \"dnsmasq\": ",
               h->dnsmasq != VMNET_DNSMASQ_DOWN && !h->firewall_missing ? "true" : "false");
        put_json(h->dnsmasq < sizeof states / sizeof states[0] && states[h->dnsmasq] ? states[h->dnsmasq]
                                                                                     : "unknown");
        printf(", \"dnsmasq_failures\": %u, \"retry_in\": %u, \"firewall\": %s, \"problem\": ", h->dnsmasq_failures,
               h->retry_seconds, h->firewall_missing ? "false" : "true");
        put_json(h->problem);
        fputs("}", stdout);
}
