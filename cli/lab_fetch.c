/* Fetching and following the lab view (see lab_fetch.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "client_messages.h"
#include "lab_fetch.h"
#include "vmnet.h"

#define FETCH_ATTEMPTS 5 /* the lab changed under the reader this often: give up */

static const char *refusal(uint8_t scope) {
        return scope == VMNET_SCOPE_ALL ? CLI_LAB_REFUSED
                                        : "vmnetd refused to answer (is your account admitted to the lab? "
                                          "see allow_groups in vmnet.conf)";
}

static int malformed(void) {
        fprintf(stderr, "vmnet: vmnetd sent a lab view this program does not understand "
                        "(vmnet and vmnetd from different versions?)\n");
        return EXIT_ERROR;
}

/* One pass over the chunks of one generation: EXIT_OK with the blob, or
 * CLI_CHANGED when the lab changed under it. */
#define CLI_CHANGED (-2)
static int fetch_once(int fd, uint8_t scope, uint8_t **ret_blob, size_t *ret_size) {
        struct vmnet_request req = { .type = VMNET_MSG_LAB_VIEW, .scope = scope };
        struct vmnet_reply rep;
        uint8_t *blob = NULL;
        uint32_t total = 0, offset = 0;
        int r;

        do {
                req.offset = offset;
                r = vmnet_client_call(fd, &req, &rep, NULL, VMNETD_TIMEOUT_MS);
                if (r == 0 && rep.status == VMNET_ERR_CHANGED) {
                        free(blob);
                        return CLI_CHANGED;
                }
                r = cli_report("vmnet", r, &rep, refusal(scope));
                if (r != EXIT_OK) {
                        free(blob);
                        return r == CLI_REFUSED ? EXIT_ERROR : r;
                }
                if (!blob) {
                        /* the first chunk says which generation and how big */
                        if (rep.total == 0 || rep.total > LAB_VIEW_SIZE_MAX)
                                return malformed();
                        total = rep.total;
                        req.generation = rep.generation;
                        blob = malloc(total);
                        if (!blob) {
                                fprintf(stderr, "vmnet: out of memory\n");
                                return EXIT_ERROR;
                        }
                } else if (rep.generation != req.generation || rep.total != total) {
                        free(blob);
                        return CLI_CHANGED;
                }
                if (rep.chunk_len == 0 || rep.chunk_len > total - offset) {
                        free(blob);
                        return malformed();
                }
                memcpy(blob + offset, rep.chunk, rep.chunk_len);
                offset += rep.chunk_len;
        } while (offset < total);
        *ret_blob = blob;
        *ret_size = total;
        return EXIT_OK;
}

int cli_fetch_lab(uint8_t scope, struct lab_view *ret) {
        const char *path = vmnet_client_socket_path();
        struct vmnet_reply none = {};
        uint8_t *blob = NULL;
        size_t size = 0;
        int fd, r = CLI_CHANGED;

        fd = vmnet_client_connect(path, VMNETD_TIMEOUT_MS);
        if (fd < 0)
                return cli_report("vmnet", fd, &none, NULL);
        for (int attempt = 0; attempt < FETCH_ATTEMPTS && r == CLI_CHANGED; attempt++)
                r = fetch_once(fd, scope, &blob, &size);
        close(fd);
        if (r == CLI_CHANGED) {
                fprintf(stderr, "vmnet: the lab changed %d times while it was read; try again\n", FETCH_ATTEMPTS);
                return EXIT_ERROR;
        }
        if (r != EXIT_OK)
                return r;
        r = lab_view_decode(blob, size, ret);
        free(blob);
        return r < 0 ? malformed() : EXIT_OK;
}

int cli_subscribe_lab(uint8_t scope, int *ret_fd) {
        const char *path = vmnet_client_socket_path();
        struct vmnet_request req = { .type = VMNET_MSG_SUBSCRIBE, .scope = scope };
        struct vmnet_reply rep = {};
        int fd, r;

        fd = vmnet_client_connect(path, VMNETD_TIMEOUT_MS);
        if (fd < 0)
                return cli_report("vmnet", fd, &rep, NULL);
        r = vmnet_client_call(fd, &req, &rep, NULL, VMNETD_TIMEOUT_MS);
        r = cli_report("vmnet", r, &rep, refusal(scope));
        if (r != EXIT_OK) {
                close(fd);
                return r == CLI_REFUSED ? EXIT_ERROR : r;
        }
        *ret_fd = fd;
        return EXIT_OK;
}

int cli_lab_changed(int fd) {
        uint8_t buf[VMNET_MSG_MAX];
        int changed = 0;

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return changed;
                if (n <= 0)
                        return -1;
                struct vmnet_reply rep;
                if (vmnet_reply_decode(buf, (size_t)n, &rep) == 0 && rep.type == VMNET_MSG_LAB_CHANGED)
                        changed = 1;
        }
}
