/* User-facing words for failures to reach vmnetd (see client_messages.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "client_messages.h"

const char *vmnet_client_socket_path(void) {
        const char *p = secure_getenv("VMNET_SOCKET");
        return p && *p ? p : VMNET_DEFAULT_SOCKET;
}

bool vmnet_client_error_is_unreachable(int r) {
        switch (-r) {
        case ENOENT:
        case ENOTDIR:
        case ECONNREFUSED:
        case EACCES:
        case EPERM:
        case ETIMEDOUT:
        case ENAMETOOLONG:
        case ENOTSOCK:
        case EPROTOTYPE:
                return true;
        default:
                return false;
        }
}

void vmnet_client_error_message(int r, const char *path, char *buf, size_t size) {
        if (size == 0)
                return;
        switch (-r) {
        case ENOENT:
        case ENOTDIR:
                snprintf(buf, size, "vmnetd is not running (no %s)", path);
                break;
        case ECONNREFUSED:
                snprintf(buf, size, "vmnetd is not running (nothing listens on %s)", path);
                break;
        case EACCES:
        case EPERM:
                snprintf(buf, size, "no permission to talk to vmnetd on %s", path);
                break;
        case ETIMEDOUT:
                snprintf(buf, size, "vmnetd did not answer in time on %s", path);
                break;
        case ENOTSOCK:
        case EPROTOTYPE:
                /* a leftover file or a socket of another kind at our path */
                snprintf(buf, size, "vmnetd is not running (%s is not its socket)", path);
                break;
        case ECONNRESET:
        case EPIPE:
                snprintf(buf, size, "vmnetd closed the connection on %s (see its log)", path);
                break;
        case EBADMSG:
        case EPROTO:
                snprintf(buf, size, "vmnetd on %s sent an answer this program does not understand "
                         "(vmnet and vmnetd from different versions?)", path);
                break;
        default:
                snprintf(buf, size, "cannot talk to vmnetd on %s: %s", path, strerror(-r));
                break;
        }
}

void vmnet_client_status_message(uint16_t status, char *buf, size_t size) {
        if (size == 0)
                return;
        if (status == VMNET_ERR_QUOTA)
                snprintf(buf, size, "tap quota reached (max_taps): 'vmnet status' lists "
                         "your taps, 'vmnet tap del NAME' frees one");
        else if (status == VMNET_ERR_SEGMENT_QUOTA)
                snprintf(buf, size, "segment quota reached (max_segments): 'vmnet segment list' lists "
                         "your segments, 'vmnet segment del NAME' frees one");
        else if (status == VMNET_ERR_SEGMENT_EXISTS)
                snprintf(buf, size, "you have a segment of that name already ('vmnet segment list')");
        else if (status == VMNET_ERR_SEGMENT_IN_USE)
                snprintf(buf, size, "VMs or containers are attached to the segment ('vmnet segment list' "
                         "names their taps and links): stop them first");
        else if (status == VMNET_ERR_NAME_TAKEN)
                snprintf(buf, size, "the namespace already has a link of that name (another: "
                         "vmnet netns attach --name IF)");
        else
                snprintf(buf, size, "%s", vmnet_status_string(status));
}
