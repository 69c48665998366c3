/* vmnetd: the privileged helper of vmnet.
 *   vmnetd [-c FILE] [-f] [-d]      serve (socket-activated or binding the socket)
 *   vmnetd --check-config FILE      every problem as FILE:LINE: message; exit 1 on an error
 *   vmnetd [-c FILE] --print-config the configuration in effect, as a vmnet.conf
 *   vmnetd [-c FILE] --down [--force]  remove everything vmnetd made
 *   vmnetd --version */
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
#include "guard.h"
#include "forwarding.h"
#include "config_check.h"
#include "lab.h"
#include "log.h"
#include "segment_seal.h"
#include "server.h"
#include "run_lock.h"
#include "vmnetd_config.h"
#include "version.h"

/* --down: what run_dir/state says vmnetd made (links, the bridge, addresses,
 * nftables tables), then the run files. */
static int down_everything(const struct vmnet_config *config) {
        static const char *const run_files[] = {
                "state", "dnsmasq.conf", "dnsmasq.pid", "dnsmasq.child", NAMES_LEASE_FILE, "hosts", "lab.html",
                "names.lock", GUARD_ISOLATION_FILE,
        };
        char path[PATH_MAX + 32];
        int r;

        dnsmasq_end_leftover(config);
        r = lab_down(config);
        /* and the firewall's table by its name, whatever the uplink: an older
         * vmnetd's state did not record it */
        if (firewall_remove() < 0)
                r = -EIO;
        if (guard_remove() < 0) /* whatever the config says now: a guard of before goes too */
                r = -EIO;
        /* the segments' seal too (a state file lost: it would outlive them) */
        if (segment_seal_remove() < 0)
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
        dnsmasq_forget_names(config);
        snprintf(path, sizeof path, "%s/" DNSMASQ_NAMES_DIR, config->run_dir);
        (void)rmdir(path);
        (void)rmdir(config->run_dir);
        return r < 0 ? 1 : 0;
}

static void usage(FILE *f) {
        fprintf(f, "usage: vmnetd [-c FILE] [-f] [-d]\n"
                   "       vmnetd --check-config FILE\n"
                   "       vmnetd [-c FILE] --print-config\n"
                   "       vmnetd [-c FILE] --down [--force]\n"
                   "       vmnetd --version\n"
                   "  -c, --config FILE   configuration (default " VMNET_DEFAULT_CONFIG "),\n"
                   "                      then FILE" CONFIG_DROPIN_SUFFIX "/*.conf\n"
                   "  -f, --foreground    log to stderr instead of syslog\n"
                   "  -d, --debug         log debug messages too\n"
                   "      --check-config  check FILE, its drop-ins and what they name (groups,\n"
                   "                      dnsmasq, interfaces); print every problem and exit\n"
                   "      --print-config  print the configuration in effect and exit\n"
                   "      --down          remove the taps, the bridge (unless uplink = external),\n"
                   "                      the firewall table and the run files, then exit;\n"
                   "                      refused while a vmnetd runs, unless --force\n"
                   "      --version       print vmnetd's version and exit\n");
}

/* Every problem on stderr; 1 if one is an error. */
static int print_report(const struct config_report *report) {
        struct strbuf b = {};

        config_report_format(report, &b);
        fputs(strbuf_str(&b), stderr);
        strbuf_free(&b);
        return report->n_errors > 0 || report->error ? 1 : 0;
}

static int check_config(const char *path) {
        struct config_report report = {};
        struct vmnet_config config;

        if (vmnetd_config_load(path, &config, &report) >= 0)
                config_check_meaning(&config, &report);
        int r = print_report(&report);
        config_report_free(&report);
        return r;
}

static int print_config(const char *path) {
        struct config_report report = {};
        struct vmnet_config config;
        struct strbuf b = {};
        int r = vmnetd_config_load(path, &config, &report);

        (void)print_report(&report);
        if (r >= 0) {
                strbuf_printf(&b, "# vmnetd --print-config: the configuration in effect, read from\n");
                for (size_t i = 0; i < report.n_files; i++)
                        strbuf_printf(&b, "#   %s\n", report.files[i]);
                config_format(&config, &b);
                r = b.error;
                if (r >= 0 && (fputs(strbuf_str(&b), stdout) == EOF || fflush(stdout) != 0))
                        r = -EIO;
        }
        strbuf_free(&b);
        config_report_free(&report);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "foreground", no_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'd' },
                { "check-config", required_argument, NULL, 'C' },
                { "print-config", no_argument, NULL, 'P' },
                { "down", no_argument, NULL, 'D' },
                { "force", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        const char *config_path = VMNET_DEFAULT_CONFIG, *check = NULL;
        bool foreground = false, debug = false, down = false, force = false, print = false;
        struct config_report report = {};
        struct vmnet_config config;
        int c;

        while ((c = getopt_long(argc, argv, "c:fdh", options, NULL)) != -1) {
                switch (c) {
                case 'c': config_path = optarg; break;
                case 'f': foreground = true; break;
                case 'd': debug = true; break;
                case 'C': check = optarg; break;
                case 'P': print = true; break;
                case 'D': down = true; break;
                case 'F': force = true; break;
                case 'h': usage(stdout); return 0;
                case 'V': printf("vmnetd %s\n", vmnet_version); return 0;
                default: usage(stderr); return 2;
                }
        }
        if (optind != argc || (force && !down) || (!!check + print + down > 1)) {
                usage(stderr);
                return 2;
        }
        if (check)
                return check_config(check);
        if (print)
                return print_config(config_path);
        log_open(foreground || down, debug);
        if (vmnetd_config_load(config_path, &config, &report) < 0) {
                if (!foreground && !down)
                        (void)print_report(&report); /* the admin at a terminal sees it too */
                config_report_log(&report);
                log_error("not started: fix %s (vmnetd --check-config %s lists every problem)", config_path,
                          config_path);
                config_report_free(&report);
                return 1;
        }
        /* a group or interface that is not there yet is logged, not fatal:
         * a directory slow at boot must not keep the whole lab down */
        if (!down)
                config_check_meaning(&config, &report);
        config_report_log(&report);
        config_report_free(&report);
        /* a held tap and a pidfd per student: far more than 1024 fds in a big lab */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }
        if (down) {
                if (run_lock_is_held(config.run_dir) && !force) {
                        log_error("--down refused: a vmnetd is running on %s; stop it first (systemctl stop "
                                  "vmnetd.socket vmnetd.service), or insist with --force", config.run_dir);
                        return 1;
                }
                return down_everything(&config);
        }
        return daemon_run(config_path, &config);
}
