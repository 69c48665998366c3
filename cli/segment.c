/* vmnet segment add|del|list: a student's private segments (see
 * segment.h).  vmnetd decides everything; the name is checked here first
 * only to say precisely what is wrong with it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "client_messages.h"
#include "segment.h"
#include "segment_name.h"

#define USAGE "usage: vmnet segment add NAME [--keep] | vmnet segment del NAME | vmnet segment list [--json]\n"

/* Checks name and puts it into req; EXIT_OK or EXIT_USAGE (said). */
static int take_name(const char *name, struct vmnet_request *req) {
        const char *problem = segment_name_problem(name);

        if (problem) {
                fprintf(stderr, "vmnet: '%s' is no segment name: it %s\n", name, problem);
                return EXIT_USAGE;
        }
        strcpy(req->segment, name); /* fits: checked above */
        return EXIT_OK;
}

static int cmd_add(const char *name, bool keep) {
        struct vmnet_request req = { .type = VMNET_MSG_SEGMENT_ADD };
        struct vmnet_reply rep;
        int r = take_name(name, &req);

        if (r != EXIT_OK)
                return r;
        if (keep)
                req.segment_flags = VMNET_SEGMENT_KEEP;
        r = cli_call("vmnet", &req, &rep, NULL, "vmnetd refused a segment (is your account admitted to the lab? "
                     "see allow_groups in vmnet.conf)");
        if (r != EXIT_OK)
                return r;
        printf("segment %s: link %s, bridge %s\n"
               "QEMU and libvirt attach with br=%s, VirtualBox and VMware to %s\n"
               "('vmnet hint HYPERVISOR' prints the lines).  Nothing else is on it: no DHCP,\n"
               "no address of the host's, no way out but the VMs you route through.\n",
               name, rep.tap, rep.bridge, name, rep.tap);
        if (keep)
                printf("It stays until 'vmnet segment del %s' or the machine restarts.\n", name);
        else
                printf("It goes when your last session ends ('vmnet segment add --keep' keeps one).\n");
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

static int cmd_del(const char *name) {
        struct vmnet_request req = { .type = VMNET_MSG_SEGMENT_DEL };
        struct vmnet_reply rep;
        int r = take_name(name, &req);

        if (r != EXIT_OK)
                return r;
        return cli_call("vmnet", &req, &rep, NULL, "vmnetd refused: you have no segment of that name "
                        "('vmnet segment list' lists yours)");
}

int cli_segments(struct vmnet_reply *ret) {
        struct vmnet_request req = { .type = VMNET_MSG_SEGMENT_LIST };
        return cli_call("vmnet", &req, ret, NULL, "vmnetd refused to answer (is your account admitted to the "
                        "lab? see allow_groups in vmnet.conf)");
}

bool cli_segments_quietly(struct vmnet_reply *ret) {
        struct vmnet_request req = { .type = VMNET_MSG_SEGMENT_LIST };
        struct vmnet_reply rep;

        if (vmnet_client_request(vmnet_client_socket_path(), &req, &rep, NULL, 10000) < 0 || rep.status != VMNET_OK)
                return false;
        *ret = rep;
        return true;
}

const struct vmnet_segment_info *cli_segment_named(const struct vmnet_reply *list, const char *name) {
        for (unsigned i = 0; i < list->n_segments; i++)
                if (strcmp(list->segments[i].name, name) == 0)
                        return &list->segments[i];
        return NULL;
}

/* What is attached to segment i, comma separated, into buf. */
static void attached(const struct vmnet_reply *list, unsigned i, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (unsigned p = 0; p < list->n_segment_ports && len + IFNAMSIZ + 2 < size; p++)
                if (list->segment_ports[p].segment == i)
                        len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                                list->segment_ports[p].name);
}

void cli_segments_print(const struct vmnet_reply *list) {
        printf("segments  %u of at most %u%s\n", list->n_segments, list->max_segments,
               list->n_segments ? "" : " ('vmnet segment add NAME' makes one)");
        for (unsigned i = 0; i < list->n_segments; i++) {
                const struct vmnet_segment_info *s = &list->segments[i];
                char vms[VMNET_TAPS_MAX * (IFNAMSIZ + 2)];
                attached(list, i, vms, sizeof vms);
                printf("  %-15s  link %-15s  bridge %-12s  %s; %s\n", s->name, s->link, s->bridge,
                       s->flags & VMNET_SEGMENT_KEEP ? "kept" : "until your last logout",
                       vms[0] ? vms : "no VM attached by tap");
        }
}

void cli_segment_json_fields(struct json_writer *w, const char *name, const char *bridge, const char *link, bool keep) {
        jw_string(w, "name", name);
        jw_string(w, "bridge", bridge);
        jw_string(w, "link", link);
        jw_bool(w, "keep", keep);
}

void cli_segments_json(struct json_writer *w, const char *key, const struct vmnet_reply *list) {
        jw_begin_array(w, key);
        for (unsigned i = 0; i < list->n_segments; i++) {
                const struct vmnet_segment_info *s = &list->segments[i];
                jw_begin_object(w, NULL);
                cli_segment_json_fields(w, s->name, s->bridge, s->link, s->flags & VMNET_SEGMENT_KEEP);
                jw_begin_array(w, "attached");
                for (unsigned p = 0; p < list->n_segment_ports; p++)
                        if (list->segment_ports[p].segment == i)
                                jw_string(w, NULL, list->segment_ports[p].name);
                jw_end_array(w);
                jw_end_object(w);
        }
        jw_end_array(w);
}

static int cmd_list(bool json) {
        struct vmnet_reply list;
        int r = cli_segments(&list);

        if (r != EXIT_OK)
                return r;
        if (json) {
                struct json_writer w;
                jw_init(&w, stdout, isatty(STDOUT_FILENO));
                jw_begin_object(&w, NULL);
                jw_uint(&w, "max_segments", list.max_segments);
                cli_segments_json(&w, "segments", &list);
                jw_end_object(&w);
                jw_finish(&w);
        } else
                cli_segments_print(&list);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

int cmd_segment(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "add") == 0)
                return cmd_add(argv[2], false);
        if (argc == 4 && strcmp(argv[1], "add") == 0 && strcmp(argv[3], "--keep") == 0)
                return cmd_add(argv[2], true);
        if (argc == 3 && strcmp(argv[1], "del") == 0)
                return cmd_del(argv[2]);
        if (argc == 2 && strcmp(argv[1], "list") == 0)
                return cmd_list(false);
        if (argc == 3 && strcmp(argv[1], "list") == 0 && strcmp(argv[2], "--json") == 0)
                return cmd_list(true);
        fprintf(stderr, USAGE);
        return EXIT_USAGE;
}
