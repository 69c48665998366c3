/* A test client for vmnetd that speaks every message, for integration
 * tests and benchmarks (not installed):
 *   vmnetctl [-s SOCKET] open USER | close USER | status | tap-add | tap-del TAP
 *   vmnetctl [-s SOCKET] vm-tap BRIDGE [HOLD_SECONDS]   (holds the tap fd, then exits)
 *   vmnetctl [-s SOCKET] vm-tap-mac BRIDGE MAC HOLD_SECONDS
 *                                                 (and sets the tap's MAC through its fd,
 *                                                  SIOCSIFHWADDR, as its owner may)
 *   vmnetctl [-s SOCKET] raw HEXBYTES                    (sends bytes as they are)
 *   vmnetctl [-s SOCKET] hold USER SECONDS               (open, sleep, exit without close)
 *   vmnetctl [-s SOCKET] sessions PREFIX COUNT           (open and close PREFIX0, then PREFIX1...)
 *   vmnetctl [-s SOCKET] many PREFIX COUNT               (open all, print the time, wait for
 *                                                         EOF on stdin, close all, print the time)
 *   vmnetctl types                                       (the message types the protocol knows)
 *   vmnetctl [-s SOCKET] ask TYPE [ARG]                  (a request of the type so named, ARG in
 *                                                         its field: user, tap, bridge, segment, MAC,
 *                                                         capture target, mine/all or 0/1; for
 *                                                         NETNS_ATTACH the namespace's file, opened
 *                                                         and passed)
 * Prints the tap name (or the status line); exit 0 on VMNET_OK, 10 + status
 * otherwise, 1 on a transport error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "mac_address.h"

static const char *sock = VMNET_DEFAULT_SOCKET;

static long long now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int call(struct vmnet_request *req, struct vmnet_reply *rep, int *fd) {
        int r = vmnet_client_request(sock, req, rep, fd, 5000);
        if (r < 0) {
                fprintf(stderr, "vmnetctl: %s\n", strerror(-r));
                return 1;
        }
        if (rep->status != VMNET_OK) {
                printf("%s\n", vmnet_status_string(rep->status));
                return 10 + rep->status;
        }
        return 0;
}

static int raw(const char *hex) {
        uint8_t buf[8192], reply[VMNET_MSG_MAX];
        size_t n = 0;
        int fd;

        while (hex[0] && hex[1] && n < sizeof buf) {
                unsigned v;
                if (sscanf(hex, "%2x", &v) != 1)
                        return 2;
                buf[n++] = v;
                hex += 2;
        }
        fd = vmnet_client_connect(sock, 2000);
        if (fd < 0)
                return 1;
        if (send(fd, buf, n, MSG_NOSIGNAL) < 0) {
                printf("send: %s\n", strerror(errno));
                return 1;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t m = poll(&p, 1, 2000) == 1 ? recv(fd, reply, sizeof reply, 0) : -1;
        if (m <= 0) {
                printf("closed\n");
                return 1;
        }
        struct vmnet_reply rep;
        if (vmnet_reply_decode(reply, m, &rep) < 0) {
                printf("undecodable reply\n");
                return 1;
        }
        printf("%s\n", vmnet_status_string(rep.status));
        return 10 + rep.status;
}

/* One request of the type so named, arg in the one field it carries. */
static int ask(const char *name, const char *arg) {
        struct vmnet_request req = {};
        struct vmnet_reply rep;
        unsigned type;
        int fd = -1;

        for (type = 0; type < VMNET_REPLY; type++)
                if (vmnet_msg_type_name((uint8_t)type) && strcmp(vmnet_msg_type_name((uint8_t)type), name) == 0)
                        break;
        if (type == VMNET_REPLY)
                return 2;
        req.type = (uint8_t)type;
        switch (type) {
        case VMNET_MSG_OPEN:
        case VMNET_MSG_CLOSE:
                snprintf(req.user, sizeof req.user, "%s", arg);
                break;
        case VMNET_MSG_TAP_DEL:
                snprintf(req.tap, sizeof req.tap, "%s", arg);
                break;
        case VMNET_MSG_VM_TAP:
                snprintf(req.bridge, sizeof req.bridge, "%s", arg);
                break;
        case VMNET_MSG_SEGMENT_ADD:
        case VMNET_MSG_SEGMENT_DEL:
                snprintf(req.segment, sizeof req.segment, "%s", arg);
                break;
        case VMNET_MSG_LAB_VIEW:
        case VMNET_MSG_SUBSCRIBE:
                req.scope = strcmp(arg, "all") == 0 ? VMNET_SCOPE_ALL : VMNET_SCOPE_MINE;
                break;
        case VMNET_MSG_CAPTURE:
                snprintf(req.target, sizeof req.target, "%s", arg);
                break;
        case VMNET_MSG_OWNER:
                if (mac_address_parse(arg, strlen(arg), req.mac) < 0)
                        return 2;
                break;
        case VMNET_MSG_ISOLATION:
                req.isolation = (uint8_t)atoi(arg);
                break;
        case VMNET_MSG_NETNS_ATTACH:
                req.fd = open(arg, O_RDONLY | O_CLOEXEC);
                if (req.fd < 0) {
                        fprintf(stderr, "vmnetctl: %s: %s\n", arg, strerror(errno));
                        return 1;
                }
                break;
        }
        int r = call(&req, &rep, &fd);
        if (type == VMNET_MSG_NETNS_ATTACH)
                close(req.fd);
        if (fd >= 0)
                close(fd);
        if (r == 0)
                printf("%s\n", vmnet_status_string(rep.status));
        return r;
}

int main(int argc, char **argv) {
        struct vmnet_request req = {};
        struct vmnet_reply rep;
        int fd = -1, r;

        if (argc > 2 && strcmp(argv[1], "-s") == 0) {
                sock = argv[2];
                argv += 2;
                argc -= 2;
        }
        if (argc < 2)
                return 2;
        const char *cmd = argv[1], *arg = argc > 2 ? argv[2] : "";
        if (strcmp(cmd, "raw") == 0)
                return raw(arg);
        if (strcmp(cmd, "types") == 0) {
                for (unsigned type = 0; type < VMNET_REPLY; type++)
                        if (vmnet_msg_type_is_known((uint8_t)type))
                                printf("%s\n", vmnet_msg_type_name((uint8_t)type));
                return 0;
        }
        if (strcmp(cmd, "ask") == 0)
                return ask(arg, argc > 3 ? argv[3] : "");
        if (strcmp(cmd, "many") == 0 && argc == 4) {
                int count = atoi(argv[3]);
                char line[64];
                for (int pass = 0; pass < 2; pass++) {
                        long long t0 = now_us();
                        for (int i = 0; i < count; i++) {
                                req = (struct vmnet_request) { .type = pass ? VMNET_MSG_CLOSE : VMNET_MSG_OPEN };
                                snprintf(req.user, sizeof req.user, "%s%d", arg, i);
                                r = call(&req, &rep, NULL);
                                if (r)
                                        return r;
                        }
                        printf("%s %d sessions in %.1f ms\n", pass ? "closed" : "opened", count,
                               (now_us() - t0) / 1000.0);
                        fflush(stdout);
                        while (!pass && fgets(line, sizeof line, stdin))
                                ;
                }
                return 0;
        }
        if (strcmp(cmd, "sessions") == 0 && argc == 4) {
                int count = atoi(argv[3]);
                for (int i = 0; i < count; i++)
                        for (int pass = 0; pass < 2; pass++) {
                                req = (struct vmnet_request) { .type = pass ? VMNET_MSG_CLOSE : VMNET_MSG_OPEN };
                                snprintf(req.user, sizeof req.user, "%s%d", arg, i);
                                r = call(&req, &rep, NULL);
                                if (r)
                                        return r;
                        }
                return 0;
        }
        if (strcmp(cmd, "open") == 0 || strcmp(cmd, "hold") == 0) {
                req.type = VMNET_MSG_OPEN;
                snprintf(req.user, sizeof req.user, "%s", arg);
        } else if (strcmp(cmd, "close") == 0) {
                req.type = VMNET_MSG_CLOSE;
                snprintf(req.user, sizeof req.user, "%s", arg);
        } else if (strcmp(cmd, "status") == 0) {
                req.type = VMNET_MSG_STATUS;
        } else if (strcmp(cmd, "tap-add") == 0) {
                req.type = VMNET_MSG_TAP_ADD;
        } else if (strcmp(cmd, "tap-del") == 0) {
                req.type = VMNET_MSG_TAP_DEL;
                snprintf(req.tap, sizeof req.tap, "%s", arg);
        } else if (strcmp(cmd, "vm-tap") == 0 || (strcmp(cmd, "vm-tap-mac") == 0 && argc == 5)) {
                req.type = VMNET_MSG_VM_TAP;
                snprintf(req.bridge, sizeof req.bridge, "%s", arg);
        } else {
                return 2;
        }
        r = call(&req, &rep, &fd);
        if (r)
                return r;
        if (req.type == VMNET_MSG_STATUS) {
                printf("user %s bridge %s address %s domain %s uplink %s max_taps %u\n", rep.user, rep.bridge,
                       rep.address, rep.domain, vmnet_uplink_string(rep.uplink), rep.max_taps);
                for (unsigned i = 0; i < rep.n_taps; i++)
                        printf("tap %s %s%s%s\n", rep.taps[i].name, vmnet_tap_kind_string(rep.taps[i].kind),
                               rep.taps[i].flags & VMNET_TAP_FLAG_CARRIER ? " carrier" : "",
                               rep.taps[i].flags & VMNET_TAP_FLAG_UP ? " up" : "");
        } else if (rep.tap[0]) {
                printf("%s\n", rep.tap);
        }
        fflush(stdout);
        if (strcmp(cmd, "vm-tap-mac") == 0) {
                struct ifreq ifr = { .ifr_hwaddr.sa_family = ARPHRD_ETHER };
                unsigned m[6];
                if (sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
                        return 2;
                for (int i = 0; i < 6; i++)
                        ifr.ifr_hwaddr.sa_data[i] = (char)m[i];
                if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
                        fprintf(stderr, "vmnetctl: SIOCSIFHWADDR on the tap's fd: %s\n", strerror(errno));
                        return 1;
                }
                printf("set %s\n", argv[3]);
                fflush(stdout);
                sleep(atoi(argv[4]));
        } else if (strcmp(cmd, "hold") == 0 || (req.type == VMNET_MSG_VM_TAP && argc > 3))
                sleep(atoi(argc > 3 ? argv[3] : "1"));
        if (fd >= 0)
                close(fd);
        return 0;
}
