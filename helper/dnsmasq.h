/* dnsmasq as vmnetd's child: a hermetic config generated from vmnet.conf,
 * started with --conf-file of ours only, restarted with back-off.  It runs
 * as vmnetd's user with vmnetd's two capabilities (spawn.h), so vmnetd can
 * signal it without CAP_KILL. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "names_files.h"
#include "protocol.h"

struct dnsmasq {
        pid_t pid;          /* 0 when not running */
        int pidfd;          /* watched for its exit, -1 when not running */
        unsigned failures;  /* quick exits in a row, for the back-off */
        long long started_ms;
        long long restart_at_ms; /* 0: no restart pending */
        char last_error[VMNET_PROBLEM_MAX + 1]; /* why it last stopped or did not start, for people;
                                                 * "" while it runs */
};

/* In run_dir: the hosts files the names program writes for dnsmasq. */
#define DNSMASQ_NAMES_DIR NAMES_DNS_DIR

struct strbuf;

/* The config text for c, appended to out, for dnsmasq running as user
 * (NULL: none named) with names_program as its dhcp-script.  0 or -ENOMEM. */
int dnsmasq_config_text(const struct vmnet_config *c, const char *user, const char *names_program,
                        struct strbuf *out);

/* Removes the names of the lab's leases (run_dir/hosts and the files in
 * run_dir/dns), when the leases go with a new subnet (no del comes for
 * them) or the lab goes (--down). */
void dnsmasq_forget_names(const struct vmnet_config *c);

/* Whether this uplink mode runs DHCP/DNS at all (external: the LAN does). */
bool dnsmasq_wanted(const struct vmnet_config *c);

/* Writes run_dir/dnsmasq.conf, makes run_dir/dns, ends a dnsmasq a crashed
 * vmnetd left behind (its pid file), and starts ours, with VMNET_RUN_DIR,
 * VMNET_SOCKET and VMNET_DOMAIN in its environment for the names program.
 * Returns 0 or -errno. */
int dnsmasq_start(struct dnsmasq *d, const struct vmnet_config *c);

/* Reaps it after its pidfd said it ended, and schedules a restart (1 s,
 * doubling to 60 s while it keeps dying within 10 s of its start). */
void dnsmasq_exited(struct dnsmasq *d, long long now_ms);

/* dnsmasq_leftover.c: the dnsmasq vmnetd started is written down
 * (run_dir/dnsmasq.child: its pid and start time); one that a killed
 * vmnetd left running is ended by that record — the process started then,
 * running the configured dnsmasq — never by what a pid file or a command
 * line says.  Waits for it on its pidfd (2 s, then SIGKILL). */
void dnsmasq_record_child(const struct vmnet_config *c, pid_t pid);
void dnsmasq_end_leftover(const struct vmnet_config *c);

/* SIGTERM, then SIGKILL after 2 s. */
void dnsmasq_stop(struct dnsmasq *d);
