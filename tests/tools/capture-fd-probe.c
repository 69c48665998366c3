/* capture-fd-probe TARGET OTHER-DEV HOST-IP PORT [persist]: run as a student, asks
 * vmnetd for the capture of TARGET and tries to turn the descriptor it
 * gets into something else, printing one line per attempt:
 *   bind ERRNO-NAME|ok       bind() as an AF_PACKET socket to OTHER-DEV
 *   sendto ERRNO-NAME|ok     sendto() a frame on OTHER-DEV
 *   setiff ERRNO-NAME|ok     TUNSETIFF onto OTHER-DEV
 *   reattach ERRNO-NAME|ok   a new /dev/net/tun open attaching to the capture tap by name
 *   inject ok|ERRNO-NAME     write() of a UDP datagram to HOST-IP:PORT (from 10.77.0.99)
 *   tap NAME                 the capture tap's name
 * then, with "persist" as a 5th argument, makes the tap persistent and
 * exits (closing it), so the test can see vmnetd delete it.  The test
 * decides what each line must say.
 *
 * capture-fd-probe --own-tap TAP HOST-IP PORT: the control, the same
 * frame written into a tap of the caller's own that vmnet did not make. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "client_messages.h"

static void say(const char *what, int r) {
        printf("%s %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

static uint16_t checksum(const void *data, size_t len) {
        const uint8_t *p = data;
        uint32_t sum = 0;
        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t)(p[len - 1] << 8);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

/* An Ethernet frame with a UDP datagram "VMNET-INJECTED" from 10.77.0.99. */
static size_t udp_frame(uint8_t *f, const char *host_ip, unsigned port) {
        static const char payload[] = "VMNET-INJECTED";
        uint8_t *ip = f + 14, *udp = ip + 20;
        size_t udp_len = 8 + sizeof payload - 1;
        struct in_addr src, dst;

        memset(f, 0xff, 6);                       /* broadcast: any host stack takes it */
        memcpy(f + 6, "\x52\x55\x00\x99\x99\x99", 6);
        f[12] = 0x08, f[13] = 0x00;
        inet_pton(AF_INET, "10.77.0.99", &src);
        inet_pton(AF_INET, host_ip, &dst);
        memset(ip, 0, 20);
        ip[0] = 0x45, ip[8] = 64, ip[9] = 17;
        ip[2] = (uint8_t)((20 + udp_len) >> 8), ip[3] = (uint8_t)(20 + udp_len);
        memcpy(ip + 12, &src, 4);
        memcpy(ip + 16, &dst, 4);
        uint16_t c = checksum(ip, 20);
        ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
        udp[0] = 0x30, udp[1] = 0x39;             /* from port 12345 */
        udp[2] = (uint8_t)(port >> 8), udp[3] = (uint8_t)port;
        udp[4] = (uint8_t)(udp_len >> 8), udp[5] = (uint8_t)udp_len;
        udp[6] = udp[7] = 0;                      /* no checksum: allowed over IPv4 */
        memcpy(udp + 8, payload, sizeof payload - 1);
        return 14 + 20 + udp_len;
}

int main(int argc, char **argv) {
        struct vmnet_request req = { .type = VMNET_MSG_CAPTURE };
        struct vmnet_reply rep;
        uint8_t frame[128];
        int fd = -1, r;

        if (argc < 5 || strlen(argv[1]) > VMNET_TARGET_MAX) {
                fprintf(stderr, "usage: capture-fd-probe TARGET OTHER-DEV HOST-IP PORT [persist]\n"
                                "       capture-fd-probe --own-tap TAP HOST-IP PORT\n");
                return 2;
        }
        if (strcmp(argv[1], "--own-tap") == 0) {
                struct ifreq own = { .ifr_flags = IFF_TAP | IFF_NO_PI };
                snprintf(own.ifr_name, sizeof own.ifr_name, "%s", argv[2]);
                fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
                if (fd < 0 || ioctl(fd, TUNSETIFF, &own) < 0) {
                        perror("capture-fd-probe: the control tap");
                        return 1;
                }
                size_t len = udp_frame(frame, argv[3], (unsigned)atoi(argv[4]));
                say("inject", (int)write(fd, frame, len));
                close(fd);
                return 0;
        }
        strcpy(req.target, argv[1]);
        r = vmnet_client_request(vmnet_client_socket_path(), &req, &rep, &fd, 5000);
        if (r < 0 || rep.status != VMNET_OK || fd < 0) {
                printf("refused %d %u\n", r, r < 0 ? 0 : rep.status);
                return 1;
        }
        printf("tap %s\n", rep.tap);

        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                                   .sll_ifindex = (int)if_nametoindex(argv[2]), .sll_halen = 6 };
        say("bind", bind(fd, (struct sockaddr *)&sll, sizeof sll));
        size_t n = udp_frame(frame, argv[3], (unsigned)atoi(argv[4]));
        say("sendto", (int)sendto(fd, frame, n, 0, (struct sockaddr *)&sll, sizeof sll));

        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[2]);
        say("setiff", ioctl(fd, TUNSETIFF, &ifr));

        int again = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", rep.tap);
        say("reattach", again < 0 ? -1 : ioctl(again, TUNSETIFF, &ifr));
        if (again >= 0)
                close(again);

        say("inject", (int)write(fd, frame, n));
        if (argc > 5 && strcmp(argv[5], "persist") == 0)
                say("persist", ioctl(fd, TUNSETPERSIST, 1UL));
        fflush(stdout);
        close(fd);
        return 0;
}
