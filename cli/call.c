/* Asking vmnetd (see call.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "call.h"
#include "client.h"
#include "client_messages.h"

int cli_report(const char *prog, int r, const struct vmnet_reply *rep, const char *refused) {
        const char *path = vmnet_client_socket_path();

        if (r < 0) {
                char msg[512];
                vmnet_client_error_message(r, path, msg, sizeof msg);
                fprintf(stderr, "%s: %s\n", prog, msg);
                return vmnet_client_error_is_unreachable(r) ? EXIT_UNREACHABLE : EXIT_ERROR;
        }
        if (rep->status == VMNET_OK)
                return EXIT_OK;
        if (rep->status == VMNET_ERR_REFUSED) {
                if (!refused)
                        return CLI_REFUSED;
                fprintf(stderr, "%s: %s\n", prog, refused);
                return EXIT_ERROR;
        }
        char msg[256];
        vmnet_client_status_message(rep->status, msg, sizeof msg);
        fprintf(stderr, "%s: %s\n", prog, msg);
        return EXIT_ERROR;
}

int cli_call(const char *prog, const struct vmnet_request *req, struct vmnet_reply *ret, int *ret_fd,
             const char *refused) {
        struct vmnet_reply rep;
        int r, fd = -1;

        r = vmnet_client_request(vmnet_client_socket_path(), req, &rep, ret_fd ? &fd : NULL, VMNETD_TIMEOUT_MS);
        r = cli_report(prog, r, &rep, refused);
        if (r != EXIT_OK) {
                if (fd >= 0)
                        close(fd);
                return r;
        }
        *ret = rep;
        if (ret_fd)
                *ret_fd = fd;
        return EXIT_OK;
}

int cli_status(struct vmnet_reply *ret) {
        struct vmnet_request req = { .type = VMNET_MSG_STATUS };
        return cli_call("vmnet", &req, ret, NULL, "vmnetd refused to answer (is your account "
                        "admitted to the lab? see allow_groups in vmnet.conf)");
}

const struct vmnet_tap_info *cli_login_tap(const struct vmnet_reply *status) {
        for (unsigned i = 0; i < status->n_taps; i++)
                if (status->taps[i].kind == VMNET_TAP_LOGIN)
                        return &status->taps[i];
        return NULL;
}
