/* vmnetd: the privileged helper of vmnet.
 *   vmnetd [-c FILE] [-f] [-d]      serve (socket-activated or binding `socket`)
 *   vmnetd --check-config FILE      exit 0, or print FILE:LINE: message and exit 1
 *   vmnetd [-c FILE] --down         remove everything vmnetd made */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "dnsmasq.h"
#include "firewall.h"
#include "forwarding.h"
#include "lab.h"
#include "log.h"
#include "server.h"

/* --down: taps and bridge, our nftables table, then the run files. */
static int down_everything(const struct vmnet_config *config) {
        static const char *const run_files[] = {
                "state", "dnsmasq.conf", "dnsmasq.pid", "dnsmasq.child", "dnsmasq.leases", "hosts",
        };
        char path[PATH_MAX + 32];
        int r;

        dnsmasq_end_leftover(config);
        r = lab_down(config);

        if (config->uplink != VMNET_UPLINK_EXTERNAL && firewall_remove() < 0)
                r = -EIO;
        /* ip_forward as it was before vmnetd turned it on */
        snprintf(path, sizeof path, "%s/" FORWARDING_SAVED, config->run_dir);
        int rf = forwarding_restore(FORWARDING_SYSCTL, path);
        if (rf < 0) {
                log_warn("cannot put IPv4 forwarding back as recorded in %s: %s", path, strerror(-rf));
                r = rf;
        }
        for (size_t i = 0; i < sizeof run_files / sizeof run_files[0]; i++) {
                snprintf(path, sizeof path, "%s/%s", config->run_dir, run_files[i]);
                if (unlink(path) < 0 && errno != ENOENT)
                        log_warn("cannot remove %s: %s", path, strerror(errno));
        }
        /* the socket file too, unless systemd's socket unit owns it */
        if (!getenv("LISTEN_FDS")) {
                char root_path[PATH_MAX];
                (void)unlink(config->socket_path);
                if (server_root_socket_path(config->socket_path, root_path, sizeof root_path) >= 0)
                        (void)unlink(root_path);
        }
        (void)rmdir(config->run_dir);
        return r < 0 ? 1 : 0;
}

static void usage(FILE *f) {
        fprintf(f, "usage: vmnetd [-c FILE] [-f] [-d]\n"
                   "       vmnetd --check-config FILE\n"
                   "       vmnetd [-c FILE] --down\n"
                   "  -c, --config FILE   configuration (default " VMNET_DEFAULT_CONFIG ")\n"
                   "  -f, --foreground    log to stderr instead of syslog\n"
                   "  -d, --debug         log debug messages too\n"
                   "      --check-config  check FILE and exit\n"
                   "      --down          remove the taps, the bridge (unless uplink = external),\n"
                   "                      the firewall table and the run files, then exit\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "foreground", no_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'd' },
                { "check-config", required_argument, NULL, 'C' },
                { "down", no_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *config_path = VMNET_DEFAULT_CONFIG, *check = NULL;
        bool foreground = false, debug = false, down = false;
        struct vmnet_config config;
        char err[512];
        int c;

        while ((c = getopt_long(argc, argv, "c:fdh", options, NULL)) != -1) {
                switch (c) {
                case 'c': config_path = optarg; break;
                case 'f': foreground = true; break;
                case 'd': debug = true; break;
                case 'C': check = optarg; break;
                case 'D': down = true; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        }
        if (optind != argc) {
                usage(stderr);
                return 2;
        }
        if (check) {
                if (config_load(check, &config, err, sizeof err) < 0) {
                        fprintf(stderr, "%s\n", err);
                        return 1;
                }
                return 0;
        }
        if (config_load(config_path, &config, err, sizeof err) < 0) {
                fprintf(stderr, "vmnetd: %s\n", err);
                return 1;
        }
        log_open(foreground || down, debug);
        /* a held tap and a pidfd per student: far more than 1024 fds in a big lab */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }
        if (down)
                return down_everything(&config);
        return daemon_run(config_path, &config);
}
