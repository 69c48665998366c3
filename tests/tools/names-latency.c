/* names-latency NAME IFACE TIMEOUT_MS KEY: the stopwatch of
 * tests/bench/names.  Captures on IFACE (the bridge port the DHCP client
 * sits behind), prints "ready" once it captures, and starts the clock at
 * the first DHCPREQUEST that enters the bridge there from the client
 * whose client identifier (option 61) is KEY ("01:52:54:...", hex bytes
 * as dnsmasq writes them in its lease file); from then on it resolves NAME
 * through glibc (gethostbyname2_r, so through libnss_vmnet) every 100 µs
 * until it answers, and prints the milliseconds from that REQUEST to the
 * answer.  dnsmasq commits a lease when it answers the REQUEST, so
 * everything it does for the lease (its lease file, the names program,
 * whoever keeps the lease file in its place) is on the clock.  Exit 0; 1
 * and "timeout" when no such REQUEST came or NAME did not answer within
 * TIMEOUT_MS.
 *
 * libpcap, not a packet socket of our own: its filter compiler finds the
 * UDP header behind any IP header length ("udp[8]") and keeps every other
 * frame in the kernel; what is left here is the walk of the DHCP options. */
#define _GNU_SOURCE
#include <netdb.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
        SNAPLEN = 2048,
        ETHER_HEADER = 14,
        UDP_HEADER = 8,
        BOOTP_OPTIONS = 240,    /* the fixed BOOTP part and the magic cookie */
        OPTION_PAD = 0,
        OPTION_MESSAGE_TYPE = 53,
        OPTION_CLIENT_ID = 61,
        OPTION_END = 255,
        DHCPREQUEST = 3,
        KEY_MAX = 255,
};

/* BOOTREQUESTs to the server port, entering the bridge from the port */
static const char FILTER[] = "udp dst port 67 and udp[8] = 1";

/* CLOCK_REALTIME, the clock of the kernel's capture timestamps: the clock
 * starts when the frame arrived, not when this program was woken. */
static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int resolves(const char *name) {
        struct hostent he, *result = NULL;
        char buf[1024];
        int herr;
        return gethostbyname2_r(name, AF_INET, &he, buf, sizeof buf, &result, &herr) == 0 && result;
}

/* parse_key TEXT KEY: "01:ab:..." into bytes; their count, or -1. */
static int parse_key(const char *text, uint8_t key[KEY_MAX]) {
        int n = 0;
        for (const char *p = text;; p += 3) {
                unsigned byte;
                int used;
                if (n == KEY_MAX || sscanf(p, "%2x%n", &byte, &used) != 1 || used != 2)
                        return -1;
                key[n++] = (uint8_t)byte;
                if (p[2] == '\0')
                        return n;
                if (p[2] != ':')
                        return -1;
        }
}

/* Whether the frame is a DHCPREQUEST (option 53 = 3) whose client id
 * (option 61) is KEY.  The filter let only UDP to port 67 through. */
static int is_request_of(const uint8_t *f, size_t len, const uint8_t *key, int key_len) {
        if (len < ETHER_HEADER + 20)
                return 0;
        size_t bootp = ETHER_HEADER + (size_t)(f[ETHER_HEADER] & 0x0f) * 4 + UDP_HEADER;
        static const uint8_t cookie[4] = { 99, 130, 83, 99 };
        if (len < bootp + BOOTP_OPTIONS || memcmp(f + bootp + BOOTP_OPTIONS - 4, cookie, 4) != 0)
                return 0;
        int type = 0, ours = 0;
        for (size_t i = bootp + BOOTP_OPTIONS; i < len && f[i] != OPTION_END;) {
                if (f[i] == OPTION_PAD) {
                        i++;
                        continue;
                }
                if (i + 2 > len || i + 2 + f[i + 1] > len)
                        return 0;
                const uint8_t *value = f + i + 2;
                size_t n = f[i + 1];
                if (f[i] == OPTION_MESSAGE_TYPE && n == 1)
                        type = value[0];
                if (f[i] == OPTION_CLIENT_ID)
                        ours = n == (size_t)key_len && memcmp(value, key, n) == 0;
                i += 2 + n;
        }
        return type == DHCPREQUEST && ours;
}

/* open_capture IFACE: capturing what enters the bridge through IFACE,
 * filtered, each frame handed over as it comes; NULL after a message. */
static pcap_t *open_capture(const char *iface) {
        char err[PCAP_ERRBUF_SIZE];
        struct bpf_program prog;
        pcap_t *p = pcap_create(iface, err);
        if (!p) {
                fprintf(stderr, "names-latency: %s: %s\n", iface, err);
                return NULL;
        }
        if (pcap_set_snaplen(p, SNAPLEN) != 0 || pcap_set_immediate_mode(p, 1) != 0 ||
            pcap_activate(p) < 0 || pcap_setdirection(p, PCAP_D_IN) < 0) {
                fprintf(stderr, "names-latency: cannot capture on %s: %s\n", iface, pcap_geterr(p));
                pcap_close(p);
                return NULL;
        }
        if (pcap_datalink(p) != DLT_EN10MB) {
                fprintf(stderr, "names-latency: %s is no Ethernet port\n", iface);
                pcap_close(p);
                return NULL;
        }
        if (pcap_compile(p, &prog, FILTER, 1, PCAP_NETMASK_UNKNOWN) < 0) {
                fprintf(stderr, "names-latency: the filter '%s' does not compile: %s\n", FILTER, pcap_geterr(p));
                pcap_close(p);
                return NULL;
        }
        int r = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (r < 0 || pcap_setnonblock(p, 1, err) < 0) {
                fprintf(stderr, "names-latency: cannot filter on %s: %s\n", iface, pcap_geterr(p));
                pcap_close(p);
                return NULL;
        }
        return p;
}

/* wait_request P KEY...: the arrival (now_ms's clock) of the first request
 * of KEY within TIMEOUT_MS, or -1. */
static double wait_request(pcap_t *p, const uint8_t *key, int key_len, int timeout_ms) {
        struct pollfd pfd = { .fd = pcap_get_selectable_fd(p), .events = POLLIN };
        double start = now_ms();
        for (;;) {
                struct pcap_pkthdr *h;
                const u_char *frame;
                int r;
                while ((r = pcap_next_ex(p, &h, &frame)) == 1)
                        if (is_request_of(frame, h->caplen, key, key_len))
                                return (double)h->ts.tv_sec * 1e3 + (double)h->ts.tv_usec / 1e3;
                if (r < 0) {
                        fprintf(stderr, "names-latency: capture: %s\n", pcap_geterr(p));
                        return -1;
                }
                int left = timeout_ms - (int)(now_ms() - start);
                if (left <= 0 || poll(&pfd, 1, left) < 0)
                        return -1;
        }
}

int main(int argc, char **argv) {
        uint8_t key[KEY_MAX];
        int key_len = argc == 5 ? parse_key(argv[4], key) : -1;
        if (argc != 5 || key_len < 0) {
                fprintf(stderr, "usage: %s NAME IFACE TIMEOUT_MS KEY (KEY: hex bytes, 01:52:54:...)\n", argv[0]);
                return 2;
        }
        int timeout_ms = atoi(argv[3]);
        pcap_t *p = open_capture(argv[2]);
        if (!p)
                return 1;
        /* a lookup first: glibc loads the module now, not on the clock */
        (void)resolves(argv[1]);
        printf("ready\n");
        fflush(stdout);
        double t0 = wait_request(p, key, key_len, timeout_ms), ms = -1;
        while (t0 >= 0 && now_ms() - t0 <= timeout_ms) {
                if (resolves(argv[1])) {
                        ms = now_ms() - t0;
                        break;
                }
                usleep(100);
        }
        pcap_close(p); /* not on the clock */
        if (ms < 0) {
                printf("timeout\n");
                return 1;
        }
        printf("%.3f\n", ms);
        return 0;
}
