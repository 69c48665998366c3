/* vmnet capture: a pcap stream of the frames crossing one of the caller's
 * links or taps (teachers: anyone's).  vmnetd mirrors the port onto a
 * capture tap and hands over its fd; this end reads frames from it,
 * filters them and writes pcap, both with libpcap (pcap_compile +
 * pcap_offline_filter, pcap_dump), so the filter language and the file
 * format are the ones Wireshark and tcpdump read. */
#define _GNU_SOURCE
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "vmnet.h"

#define SNAPLEN   262144  /* tcpdump's default: a whole frame of any size a tap carries */
#define FILTER_MAX 4096

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

struct capture_args {
        const char *target;   /* NULL: the caller's default */
        const char *file;     /* NULL: stdout */
        unsigned long count;  /* 0: no limit */
        char filter[FILTER_MAX];
};

static void usage(void) {
        fprintf(stderr, "usage: vmnet capture [TARGET] [-w FILE] [-c COUNT] [FILTER...]\n"
                        "  TARGET: one of your links or taps, or the name or MAC of one of your VMs\n"
                        "  FILTER: a pcap filter, as tcpdump takes it (e.g. icmp, 'tcp port 80')\n");
}

/* The first word of a pcap filter is never a link, tap or VM name: these
 * words start the filter, so `vmnet capture icmp` filters on the default
 * port.  (A VM named like one of them is captured with -i NAME.) */
static bool starts_filter(const char *word) {
        static const char *const keywords[] = {
                "host", "net", "port", "portrange", "src", "dst", "ether", "ip", "ip6", "arp", "rarp",
                "tcp", "udp", "icmp", "icmp6", "sctp", "vlan", "mpls", "not", "less", "greater", "proto",
                "broadcast", "multicast", "gateway", "igmp", "pim", "stp", "llc", "inbound", "outbound",
                "ether[", "ip[", "tcp[", "udp[", "icmp[", "len",
        };
        if (word[0] == '(' || word[0] == '!' || word[0] == '\0')
                return true;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
                size_t n = strlen(keywords[i]);
                if (strncmp(word, keywords[i], n) == 0 && (keywords[i][n - 1] == '[' || word[n] == '\0'))
                        return true;
        }
        return false;
}

static int parse_args(int argc, char **argv, struct capture_args *a) {
        bool words = false;

        memset(a, 0, sizeof *a);
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];
                if (!words && (strcmp(arg, "-w") == 0 || strcmp(arg, "-c") == 0 || strcmp(arg, "-i") == 0)) {
                        if (i + 1 >= argc) {
                                fprintf(stderr, "vmnet: %s needs a value\n", arg);
                                return -1;
                        }
                        const char *value = argv[++i];
                        if (arg[1] == 'w') {
                                a->file = value;
                        } else if (arg[1] == 'i') {
                                a->target = value;
                        } else {
                                char *end;
                                errno = 0;
                                a->count = strtoul(value, &end, 10);
                                if (errno || *end || !*value || value[0] == '-' || a->count == 0) {
                                        fprintf(stderr, "vmnet: -c takes a count of frames (1 or more), not '%s'\n", value);
                                        return -1;
                                }
                        }
                        continue;
                }
                if (strcmp(arg, "--") == 0 && !words) {
                        words = true;
                        continue;
                }
                if (arg[0] == '-' && !words) {
                        fprintf(stderr, "vmnet: unknown option '%s' for capture\n", arg);
                        return -1;
                }
                if (!words && !a->target && !a->filter[0] && !starts_filter(arg)) {
                        a->target = arg;
                        continue;
                }
                size_t have = strlen(a->filter), n = strlen(arg);
                if (have + n + 2 > sizeof a->filter) {
                        fprintf(stderr, "vmnet: the filter is longer than %d bytes\n", FILTER_MAX - 1);
                        return -1;
                }
                if (have)
                        a->filter[have++] = ' ';
                memcpy(a->filter + have, arg, n + 1);
        }
        return 0;
}

/* The port to capture when none is named: the login link (every VM
 * VirtualBox or VMware bridges sits behind it), else the only tap. */
static int default_target(char ret[IFNAMSIZ]) {
        struct vmnet_reply st;
        const struct vmnet_tap_info *login;
        int r = cli_status(&st);

        if (r != EXIT_OK)
                return r;
        login = cli_login_tap(&st);
        if (login) {
                snprintf(ret, IFNAMSIZ, "%s", login->name);
                return EXIT_OK;
        }
        if (st.n_taps == 1) {
                snprintf(ret, IFNAMSIZ, "%s", st.taps[0].name);
                return EXIT_OK;
        }
        if (st.n_taps == 0) {
                fprintf(stderr, "vmnet: you have no link or tap to capture (your login link comes "
                                "with a session; 'vmnet tap add' or a QEMU VM makes taps)\n");
                return EXIT_ERROR;
        }
        fprintf(stderr, "vmnet: you have %u taps; name the one to capture:", st.n_taps);
        for (unsigned i = 0; i < st.n_taps; i++)
                fprintf(stderr, " %s", st.taps[i].name);
        fputc('\n', stderr);
        return EXIT_USAGE;
}

/* Asks vmnetd for the capture fd of target. */
static int open_capture(const char *target, struct vmnet_reply *rep, int *ret_fd) {
        struct vmnet_request req = { .type = VMNET_MSG_CAPTURE };

        if (strlen(target) > VMNET_TARGET_MAX) {
                fprintf(stderr, "vmnet: '%.40s...' is no link, tap or VM name (too long)\n", target);
                return EXIT_USAGE;
        }
        strcpy(req.target, target);
        return cli_call("vmnet", &req, rep, ret_fd,
                        "vmnetd refused the capture: you may capture only your own links, taps "
                        "and VMs ('vmnet status' lists them)");
}

/* Reads frames until the count, a signal, the end of the capture, or a
 * reader that went away.  Returns the exit code. */
static int pump(int fd, pcap_t *p, const struct bpf_program *prog, pcap_dumper_t *out,
                const struct capture_args *a, const char *port, unsigned long *ret_n) {
        static unsigned char frame[SNAPLEN];
        unsigned long n = 0;

        while (!stop_requested && (a->count == 0 || n < a->count)) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                if (poll(&pfd, 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("vmnet: poll");
                        return EXIT_ERROR;
                }
                ssize_t k = read(fd, frame, sizeof frame);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (k <= 0) {
                        /* vmnetd deleted the capture tap: its port went away */
                        fprintf(stderr, "vmnet: the capture of %s ended: %s is gone (or vmnetd stopped)\n",
                                port, port);
                        *ret_n = n;
                        return EXIT_ERROR;
                }
                struct pcap_pkthdr h = { .caplen = (bpf_u_int32)k, .len = (bpf_u_int32)k };
                gettimeofday(&h.ts, NULL);
                if (!pcap_offline_filter(prog, &h, frame))
                        continue;
                pcap_dump((u_char *)out, &h, frame);
                /* a reader at the other end of a pipe sees each frame as it comes */
                if (pcap_dump_flush(out) < 0) {
                        if (errno != EPIPE)
                                fprintf(stderr, "vmnet: cannot write the capture: %s\n", strerror(errno));
                        *ret_n = n;
                        return errno == EPIPE ? EXIT_OK : EXIT_ERROR;
                }
                n++;
        }
        (void)p;
        *ret_n = n;
        return EXIT_OK;
}

int cmd_capture(int argc, char **argv) {
        struct capture_args a;
        struct bpf_program prog;
        struct vmnet_reply rep;
        char target[IFNAMSIZ];
        pcap_dumper_t *out;
        unsigned long n = 0;
        pcap_t *p;
        int fd, r;

        if (parse_args(argc, argv, &a) < 0) {
                usage();
                return EXIT_USAGE;
        }
        /* the filter first: a typo costs no round trip to vmnetd */
        p = pcap_open_dead(DLT_EN10MB, SNAPLEN);
        if (!p) {
                fprintf(stderr, "vmnet: libpcap failed to start\n");
                return EXIT_ERROR;
        }
        if (pcap_compile(p, &prog, a.filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
                fprintf(stderr, "vmnet: the filter '%s' does not compile: %s\n", a.filter, pcap_geterr(p));
                pcap_close(p);
                return EXIT_USAGE;
        }
        if (!a.file && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "vmnet: not writing a pcap stream to a terminal: use -w FILE, or a pipe "
                                "(vmnet capture | wireshark -k -i -, or | tcpdump -r -)\n");
                r = EXIT_USAGE;
                goto done_filter;
        }
        if (!a.target) {
                r = default_target(target);
                if (r != EXIT_OK)
                        goto done_filter;
                a.target = target;
        }
        r = open_capture(a.target, &rep, &fd);
        if (r != EXIT_OK)
                goto done_filter;
        out = a.file ? pcap_dump_open(p, a.file) : pcap_dump_fopen(p, stdout);
        if (!out) {
                fprintf(stderr, "vmnet: cannot write %s: %s\n", a.file ? a.file : "the capture", pcap_geterr(p));
                r = EXIT_ERROR;
                goto done_fd;
        }
        fprintf(stderr, "vmnet: capturing %s (%s's %s)%s%s; Ctrl-C stops\n", rep.port, rep.user, rep.link,
                a.filter[0] ? ", filter: " : "", a.filter);
        /* the header goes out at once: a reader sees a valid stream even
         * before the first frame */
        pcap_dump_flush(out);
        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        r = pump(fd, p, &prog, out, &a, rep.port, &n);
        fprintf(stderr, "vmnet: %lu frame%s captured\n", n, n == 1 ? "" : "s");
        if (a.file)
                pcap_dump_close(out);
        else
                pcap_dump_flush(out);
done_fd:
        close(fd);
done_filter:
        pcap_freecode(&prog);
        pcap_close(p);
        return r;
}
