/* vmraw: the test guest's hostile side (tests/guest/build links it
 * statically into the initrd).  Raw frames from root inside a VM, as a
 * student's exercise or a red-team tool would send them, always bounded in
 * count and time, always on the guest's own interface:
 *
 *   vmraw macflood IF COUNT           COUNT frames from COUNT source MACs
 *   vmraw dhcpflood IF COUNT [fixed]  for COUNT client MACs a DHCPDISCOVER and
 *                                     a DHCPREQUEST (INIT-REBOOT, for .100 +
 *                                     i of IF's /24), as starvation tools do;
 *                                     fixed: all from IF's own source MAC
 *   vmraw arp IF request|reply SHA SPA THA TPA [COUNT]
 *                                     ARP; SHA "self" is IF's MAC; sent to
 *                                     THA, or broadcast when THA is 0s
 *   vmraw tagged IF VID SPA           an ARP reply "SPA is at IF's MAC", broadcast
 *                                     in an 802.1Q tag of VLAN VID
 *   vmraw ra IF                       an IPv6 router advertisement (prefix
 *                                     2001:db8:77::/64, default router)
 *   vmraw dhcp6 IF                    a DHCPv6 ADVERTISE, server to client
 *   vmraw udp IF SRC DST DSTMAC PORT [COUNT]
 *                                     IPv4/UDP with any source address
 *   vmraw dnsflood SERVER SECONDS     DNS queries over a normal socket, as
 *                                     fast as they go, for SECONDS
 *   vmraw dhcpwatch IF SECONDS        listens: prints "vmraw: dhcp server IP:
 *                                     N" for each source of DHCP server
 *                                     messages (UDP from port 67) it saw
 * Prints "vmraw: sent N" (and what it was) on success; exit 1 on errors. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define COUNT_MAX 100000
#define SECONDS_MAX 30

static int raw_fd = -1;
static struct sockaddr_ll raw_to;
static uint8_t own_mac[6];

static void die(const char *what) {
        fprintf(stderr, "vmraw: %s: %s\n", what, strerror(errno));
        exit(1);
}

static void usage(void) {
        fprintf(stderr, "vmraw: bad arguments (see the comment in tests/guest/vmraw.c)\n");
        exit(2);
}

static unsigned long count_arg(const char *s, unsigned long max) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (*end || v == 0 || v > max)
                usage();
        return v;
}

static void open_raw(const char *ifname) {
        struct ifreq ifr = {};
        raw_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (raw_fd < 0)
                die("socket");
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
        if (ioctl(raw_fd, SIOCGIFHWADDR, &ifr) < 0)
                die(ifname);
        memcpy(own_mac, ifr.ifr_hwaddr.sa_data, 6);
        raw_to = (struct sockaddr_ll) { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname),
                                        .sll_halen = 6 };
}

static void send_frame(const uint8_t *frame, size_t len) {
        uint8_t padded[1514] = {};
        if (len > sizeof padded)
                len = sizeof padded;
        memcpy(padded, frame, len);
        if (len < 60)
                len = 60;
        if (sendto(raw_fd, padded, len, 0, (struct sockaddr *)&raw_to, sizeof raw_to) < 0)
                die("sendto");
}

static void parse_mac(const char *s, uint8_t ret[6]) {
        unsigned m[6];
        int n = 0;
        if (strcmp(s, "self") == 0) {
                memcpy(ret, own_mac, 6);
                return;
        }
        if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &n) != 6 || s[n])
                usage();
        for (int i = 0; i < 6; i++)
                ret[i] = (uint8_t)m[i];
}

static void parse_ip(const char *s, uint8_t ret[4]) {
        if (inet_pton(AF_INET, s, ret) != 1)
                usage();
}

static uint8_t *put(uint8_t *p, const void *src, size_t n) {
        memcpy(p, src, n);
        return p + n;
}

static uint8_t *put16(uint8_t *p, uint16_t v) {
        *p++ = (uint8_t)(v >> 8);
        *p++ = (uint8_t)v;
        return p;
}

static uint8_t *put32(uint8_t *p, uint32_t v) {
        return put16(put16(p, (uint16_t)(v >> 16)), (uint16_t)v);
}

static uint8_t *ether(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type) {
        return put16(put(put(p, dst, 6), src, 6), type);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum) {
        for (size_t i = 0; i + 1 < n; i += 2)
                sum += (uint32_t)p[i] << 8 | p[i + 1];
        if (n & 1)
                sum += (uint32_t)p[n - 1] << 8;
        return sum;
}

static uint16_t fold(uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

/* IPv4 + UDP (checksum 0: none) around payload; returns the frame's end. */
static uint8_t *ipv4_udp(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
                         const uint8_t *payload, size_t n) {
        uint8_t *ip = p;
        p = put16(put16(p, 0x4500), (uint16_t)(20 + 8 + n));
        p = put16(put16(p, 0), 0x4000);
        *p++ = 64;
        *p++ = 17;
        p = put16(p, 0);
        p = put(put(p, src, 4), dst, 4);
        put16(ip + 10, fold(sum16(ip, 20, 0)));
        p = put16(put16(p, sport), dport);
        p = put16(put16(p, (uint16_t)(8 + n)), 0);
        return put(p, payload, n);
}

/* IPv6 + payload of next header nh, with its checksum at payload[csum_at]. */
static uint8_t *ipv6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint8_t *payload,
                     size_t n, size_t csum_at) {
        uint8_t pseudo[40] = {};
        memcpy(pseudo, src, 16);
        memcpy(pseudo + 16, dst, 16);
        put32(pseudo + 32, (uint32_t)n);
        pseudo[39] = nh;
        payload[csum_at] = payload[csum_at + 1] = 0;
        put16(payload + csum_at, fold(sum16(payload, n, sum16(pseudo, 40, 0))));
        p = put32(p, 0x60000000);
        p = put16(p, (uint16_t)n);
        *p++ = nh;
        *p++ = 255;
        return put(put(put(p, src, 16), dst, 16), payload, n);
}

static void link_local(uint8_t ret[16]) {
        memset(ret, 0, 16);
        ret[0] = 0xfe, ret[1] = 0x80;
        ret[8] = own_mac[0] ^ 2, ret[9] = own_mac[1], ret[10] = own_mac[2], ret[11] = 0xff;
        ret[12] = 0xfe, ret[13] = own_mac[3], ret[14] = own_mac[4], ret[15] = own_mac[5];
}

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void numbered_mac(uint8_t prefix, unsigned long i, uint8_t ret[6]) {
        uint8_t m[6] = { 0x02, prefix, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        memcpy(ret, m, 6);
}

static unsigned long macflood(unsigned long count) {
        for (unsigned long i = 0; i < count; i++) {
                uint8_t frame[64] = {}, src[6];
                numbered_mac(0xaa, i, src);
                ether(frame, broadcast, src, 0x88b5); /* IEEE local experimental */
                send_frame(frame, sizeof frame);
        }
        return count;
}

static void dhcp_message(const uint8_t chaddr[6], const uint8_t src[6], uint32_t xid, uint8_t type,
                         const uint8_t *requested) {
        static const uint8_t any[4] = { 0, 0, 0, 0 }, all[4] = { 255, 255, 255, 255 };
        uint8_t frame[400], bootp[300] = {}, *p;
        bootp[0] = 1, bootp[1] = 1, bootp[2] = 6;                 /* request, ethernet */
        put32(bootp + 4, xid);
        memcpy(bootp + 28, chaddr, 6);
        p = put32(bootp + 236, 0x63825363);                       /* magic cookie */
        p = put(p, (uint8_t[]) { 53, 1, type }, 3);
        if (requested)
                p = put(put(p, (uint8_t[]) { 50, 4 }, 2), requested, 4);
        *p++ = 255;
        p = ether(frame, broadcast, src, ETHERTYPE_IP);
        p = ipv4_udp(p, any, all, 68, 67, bootp, sizeof bootp);
        send_frame(frame, (size_t)(p - frame));
}

static unsigned long dhcpflood(const char *ifname, unsigned long count, int fixed) {
        struct ifreq ifr = {};
        uint8_t net[4] = { 10, 77, 0, 0 };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
        if (ioctl(raw_fd, SIOCGIFADDR, &ifr) == 0)
                memcpy(net, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, 3);
        for (unsigned long i = 0; i < count; i++) {
                uint8_t chaddr[6], want[4] = { net[0], net[1], net[2], (uint8_t)(100 + i % 150) };
                numbered_mac(0xdd, i, chaddr);
                dhcp_message(chaddr, fixed ? own_mac : chaddr, 0x766d0000u + (uint32_t)i, 1, NULL);
                dhcp_message(chaddr, fixed ? own_mac : chaddr, 0x766e0000u + (uint32_t)i, 3, want);
        }
        return count;
}

static unsigned long arp(int reply, const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
                         const uint8_t tpa[4], unsigned long count) {
        static const uint8_t zero[6] = {};
        uint8_t frame[64] = {}, *p;
        p = ether(frame, memcmp(tha, zero, 6) ? tha : broadcast, own_mac, ETHERTYPE_ARP);
        p = put16(put16(p, 1), ETHERTYPE_IP);
        *p++ = 6, *p++ = 4;
        p = put16(p, reply ? 2 : 1);
        p = put(put(put(put(p, sha, 6), spa, 4), tha, 6), tpa, 4);
        for (unsigned long i = 0; i < count; i++)
                send_frame(frame, (size_t)(p - frame));
        return count;
}

static unsigned long tagged(unsigned vid, const uint8_t spa[4]) {
        uint8_t frame[64] = {}, *p;
        p = ether(frame, broadcast, own_mac, 0x8100);
        p = put16(put16(p, (uint16_t)(vid & 0x0fff)), ETHERTYPE_ARP);
        p = put16(put16(p, 1), ETHERTYPE_IP);
        *p++ = 6, *p++ = 4;
        p = put16(p, 2);
        p = put(put(put(put(p, own_mac, 6), spa, 4), broadcast, 6), spa, 4);
        send_frame(frame, (size_t)(p - frame));
        return 1;
}

static unsigned long ra(void) {
        static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 }, mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
        uint8_t src[16], icmp[64] = {}, frame[128], *p = icmp;
        link_local(src);
        *p++ = 134, *p++ = 0, p += 2;                 /* router advertisement, checksum later */
        *p++ = 64, *p++ = 0;                          /* hop limit, flags */
        p = put16(p, 1800);                           /* default router for 30 minutes */
        p = put32(put32(p, 0), 0);
        *p++ = 1, *p++ = 1;                           /* source link-layer address */
        p = put(p, own_mac, 6);
        *p++ = 3, *p++ = 4, *p++ = 64, *p++ = 0xc0;   /* prefix, on-link + autonomous */
        p = put32(put32(p, 86400), 14400);
        p = put32(p, 0);
        p = put(p, (uint8_t[]) { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x77 }, 6);
        p += 10;
        uint8_t *q = ether(frame, mcast, own_mac, 0x86dd);
        q = ipv6(q, src, all_nodes, 58, icmp, (size_t)(p - icmp), 2);
        send_frame(frame, (size_t)(q - frame));
        return 1;
}

static unsigned long dhcp6(void) {
        static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 }, mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
        uint8_t src[16], udp[32] = {}, frame[128], *p = udp;
        link_local(src);
        p = put16(put16(p, 547), 546);
        p = put16(p, 12);
        p += 2;                                       /* checksum later */
        *p++ = 2;                                     /* ADVERTISE */
        p = put(p, (uint8_t[]) { 0x76, 0x6d, 0x06 }, 3);
        uint8_t *q = ether(frame, mcast, own_mac, 0x86dd);
        q = ipv6(q, src, all_nodes, 17, udp, (size_t)(p - udp), 6);
        send_frame(frame, (size_t)(q - frame));
        return 1;
}

static unsigned long udp(const uint8_t src[4], const uint8_t dst[4], const uint8_t dst_mac[6], uint16_t port,
                         unsigned long count) {
        static const uint8_t payload[] = "vmraw";
        uint8_t frame[128], *p = ether(frame, dst_mac, own_mac, ETHERTYPE_IP);
        p = ipv4_udp(p, src, dst, 40000, port, payload, sizeof payload - 1);
        for (unsigned long i = 0; i < count; i++)
                send_frame(frame, (size_t)(p - frame));
        return count;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long dnsflood(const char *server, unsigned long seconds) {
        /* a query for A of vmraw-flood.lab, id varying */
        uint8_t q[64] = { 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, *p = q + 12;
        struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(53) };
        unsigned long sent = 0;
        p = put(p, "\x0bvmraw-flood\x03lab", 16);
        *p++ = 0;
        p = put16(put16(p, 1), 1);
        if (inet_pton(AF_INET, server, &to.sin_addr) != 1)
                usage();
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                die("socket");
        for (double end = now() + (double)seconds; now() < end && sent < 50 * 1000 * 1000;) {
                for (int i = 0; i < 256; i++, sent++) {
                        put16(q, (uint16_t)sent);
                        if (sendto(fd, q, (size_t)(p - q), 0, (struct sockaddr *)&to, sizeof to) < 0 &&
                            errno != EAGAIN && errno != ENOBUFS)
                                die("sendto");
                }
                char sink[512];
                while (recv(fd, sink, sizeof sink, 0) > 0)
                        ;
        }
        close(fd);
        return sent;
}

static unsigned long dhcpwatch(unsigned long seconds) {
        struct { uint32_t ip; unsigned long n; } seen[16] = {};
        unsigned long total = 0;
        size_t n_seen = 0;
        struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
        if (setsockopt(raw_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
                die("SO_RCVTIMEO");
        for (double end = now() + (double)seconds; now() < end;) {
                uint8_t f[1600];
                ssize_t k = recv(raw_fd, f, sizeof f, 0);
                if (k < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4 || f[23] != 17)
                        continue;
                size_t udp = 14 + (size_t)(f[14] & 0x0f) * 4;
                if ((size_t)k < udp + 8 || f[udp] != 0 || f[udp + 1] != 67)
                        continue;
                uint32_t ip;
                memcpy(&ip, f + 26, 4);
                size_t i = 0;
                while (i < n_seen && seen[i].ip != ip)
                        i++;
                if (i == n_seen && n_seen < 16)
                        seen[n_seen++].ip = ip;
                if (i < n_seen)
                        seen[i].n++;
                total++;
        }
        for (size_t i = 0; i < n_seen; i++) {
                char a[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &seen[i].ip, a, sizeof a);
                printf("vmraw: dhcp server %s: %lu\n", a, seen[i].n);
        }
        return total;
}

int main(int argc, char **argv) {
        unsigned long sent;
        double t0 = now();

        if (argc < 3)
                usage();
        const char *cmd = argv[1];
        if (strcmp(cmd, "dnsflood") == 0) {
                if (argc != 4)
                        usage();
                sent = dnsflood(argv[2], count_arg(argv[3], SECONDS_MAX));
        } else {
                open_raw(argv[2]);
                if (strcmp(cmd, "macflood") == 0 && argc == 4) {
                        sent = macflood(count_arg(argv[3], COUNT_MAX));
                } else if (strcmp(cmd, "dhcpflood") == 0 && (argc == 4 || argc == 5)) {
                        if (argc == 5 && strcmp(argv[4], "fixed") != 0)
                                usage();
                        sent = dhcpflood(argv[2], count_arg(argv[3], COUNT_MAX), argc == 5);
                } else if (strcmp(cmd, "arp") == 0 && (argc == 8 || argc == 9)) {
                        uint8_t sha[6], spa[4], tha[6], tpa[4];
                        int reply = strcmp(argv[3], "reply") == 0;
                        if (!reply && strcmp(argv[3], "request") != 0)
                                usage();
                        parse_mac(argv[4], sha), parse_ip(argv[5], spa), parse_mac(argv[6], tha), parse_ip(argv[7], tpa);
                        sent = arp(reply, sha, spa, tha, tpa, argc == 9 ? count_arg(argv[8], COUNT_MAX) : 1);
                } else if (strcmp(cmd, "dhcpwatch") == 0 && argc == 4) {
                        sent = dhcpwatch(count_arg(argv[3], SECONDS_MAX));
                } else if (strcmp(cmd, "tagged") == 0 && argc == 5) {
                        uint8_t spa[4];
                        parse_ip(argv[4], spa);
                        sent = tagged((unsigned)count_arg(argv[3], 4094), spa);
                } else if (strcmp(cmd, "ra") == 0 && argc == 3) {
                        sent = ra();
                } else if (strcmp(cmd, "dhcp6") == 0 && argc == 3) {
                        sent = dhcp6();
                } else if (strcmp(cmd, "udp") == 0 && (argc == 7 || argc == 8)) {
                        uint8_t src[4], dst[4], mac[6];
                        parse_ip(argv[3], src), parse_ip(argv[4], dst), parse_mac(argv[5], mac);
                        sent = udp(src, dst, mac, (uint16_t)count_arg(argv[6], 65535),
                                   argc == 8 ? count_arg(argv[7], COUNT_MAX) : 1);
                } else {
                        usage();
                }
        }
        printf("vmraw: sent %lu (%s) in %.0f ms\n", sent, cmd, (now() - t0) * 1000);
        return 0;
}
