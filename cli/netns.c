/* vmnet netns attach (see netns.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "cleanup.h"
#include "ifname.h"
#include "netns.h"
#include "segment_name.h"

int cli_netns_path(const char *target, char *ret, size_t size) {
        int n;

        if (!target[0])
                return -EINVAL;
        if (strspn(target, "0123456789") == strlen(target)) {
                errno = 0;
                char *end;
                unsigned long pid = strtoul(target, &end, 10);
                if (errno || *end || pid == 0 || pid > INT_MAX)
                        return -EINVAL;
                n = snprintf(ret, size, "/proc/%lu/ns/net", pid);
        } else {
                n = snprintf(ret, size, "%s", target);
        }
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int cli_netns_options(const char *prog, int argc, char **argv, int *i, const char **ret_ifname,
                      const char **ret_segment) {
        for (; *i + 1 < argc; *i += 2) {
                const char *opt = argv[*i], *value = argv[*i + 1], *problem;
                if (strcmp(opt, "--name") == 0) {
                        problem = ifname_problem(value);
                        if (problem) {
                                fprintf(stderr, "%s: '%s' is no interface name: it %s\n", prog, value, problem);
                                return EXIT_USAGE;
                        }
                        *ret_ifname = value;
                } else if (strcmp(opt, "--segment") == 0) {
                        problem = segment_name_problem(value);
                        if (problem) {
                                fprintf(stderr, "%s: '%s' is no segment name: it %s\n", prog, value, problem);
                                return EXIT_USAGE;
                        }
                        *ret_segment = value;
                } else
                        break;
        }
        return 0;
}

int cli_netns_attach(const char *prog, const char *target, const char *ifname, const char *segment) {
        struct vmnet_request req = { .type = VMNET_MSG_NETNS_ATTACH };
        struct vmnet_reply rep;
        _cleanup_close_ int fd = -1;
        char path[PATH_MAX];
        const char *problem = ifname && ifname[0] ? ifname_problem(ifname) : NULL;
        int r;

        if (problem) {
                fprintf(stderr, "%s: '%s' is no interface name: it %s\n", prog, ifname, problem);
                return EXIT_USAGE;
        }
        problem = segment ? segment_name_problem(segment) : NULL;
        if (problem) {
                fprintf(stderr, "%s: '%s' is no segment name: it %s\n", prog, segment, problem);
                return EXIT_USAGE;
        }
        if (ifname)
                strcpy(req.ifname, ifname); /* fits: ifname_problem() checked the length */
        if (segment)
                strcpy(req.segment, segment); /* fits: segment_name_problem() checked the length */
        r = cli_netns_path(target, path, sizeof path);
        if (r < 0) {
                fprintf(stderr, "%s: '%s' is neither a process id nor a file\n", prog, target);
                return EXIT_USAGE;
        }
        /* O_NONBLOCK: a FIFO given by mistake must not hang us; vmnetd asks
         * the kernel what the fd is, never the name it was opened by */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == EACCES || errno == EPERM)
                        fprintf(stderr, "%s: %s\n", prog, CLI_NETNS_REFUSED);
                else
                        fprintf(stderr, "%s: cannot open %s: %m\n", prog, path);
                return EXIT_ERROR;
        }
        req.fd = fd;
        r = cli_call(prog, &req, &rep, NULL, CLI_NETNS_REFUSED);
        if (r != EXIT_OK)
                return r;
        printf("%s\n", rep.tap);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

int cmd_netns(int argc, char **argv) {
        const char *ifname = NULL, *segment = NULL;
        int i = 2;

        if (argc >= 2 && strcmp(argv[1], "attach") == 0) {
                if (cli_netns_options("vmnet", argc, argv, &i, &ifname, &segment) != 0)
                        return EXIT_USAGE;
                /* an option word is never a target (a file named so is ./-x) */
                if (i + 1 == argc && argv[i][0] != '-')
                        return cli_netns_attach("vmnet", argv[i], ifname, segment);
        }
        fprintf(stderr, "usage: vmnet netns attach [--name IF] [--segment NAME] (PID | /proc/PID/ns/net | FILE)\n");
        return EXIT_USAGE;
}
