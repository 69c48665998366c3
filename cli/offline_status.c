/* vmnet's view of the lab from vmnet.conf alone (see offline_status.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "offline_status.h"
#include "tap_name.h"

int offline_status(const char *path, struct vmnet_reply *ret) {
        struct vmnet_config c;
        struct vmnet_reply st = { .type = VMNET_MSG_STATUS, .status = VMNET_OK };
        char address[INET_ADDRSTRLEN], err[64];
        const struct passwd *pw = getpwuid(getuid());
        int r;

        if (!pw || strlen(pw->pw_name) > VMNET_USER_MAX)
                return -ENOENT;
        r = config_load(path, &c, err, sizeof err);
        if (r < 0)
                return r;
        strcpy(st.user, pw->pw_name);
        strcpy(st.bridge, c.bridge);
        inet_ntop(AF_INET, &c.address, address, sizeof address);
        snprintf(st.address, sizeof st.address, "%s/%u", address, c.prefix_len);
        strcpy(st.domain, c.domain);
        st.uplink = (uint8_t)c.uplink;
        st.max_taps = (uint16_t)c.max_taps;
        r = tap_name_for_user(c.tap_name, st.user, 0, st.taps[0].name);
        if (r < 0)
                return r;
        st.taps[0].kind = VMNET_TAP_LOGIN;
        st.n_taps = 1;
        *ret = st;
        return 0;
}
