/* The bridge's forwarding database through sysfs (see fdb.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_bridge.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdb.h"
#include "sysfs.h"

/* The port number of each port is in brif/PORT/port_no. */
static int port_name(const char *bridge, int port_no, char ret[IFNAMSIZ]) {
        char path[128];
        struct dirent *e;
        DIR *d;
        int r = -ENOENT;

        snprintf(path, sizeof path, "/sys/class/net/%s/brif", bridge);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                int no;
                if (e->d_name[0] == '.' || strlen(e->d_name) >= IFNAMSIZ)
                        continue;
                if (sysfs_read_int(e->d_name, "brport/port_no", &no) == 0 && no == port_no) {
                        strcpy(ret, e->d_name);
                        r = 0;
                        break;
                }
        }
        closedir(d);
        return r;
}

int fdb_port_of_mac(const char *bridge, const uint8_t mac[6], char ret_port[IFNAMSIZ]) {
        struct __fdb_entry entries[128];
        char path[128];
        ssize_t n;
        int fd, port = -1;

        snprintf(path, sizeof path, "/sys/class/net/%s/brforward", bridge);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (port < 0 && (n = read(fd, entries, sizeof entries)) > 0) {
                for (size_t i = 0; i < (size_t)n / sizeof entries[0]; i++)
                        if (!entries[i].is_local && memcmp(entries[i].mac_addr, mac, 6) == 0) {
                                port = entries[i].port_no | entries[i].port_hi << 8;
                                break;
                        }
        }
        close(fd);
        if (port < 0)
                return -ENOENT;
        return port_name(bridge, port, ret_port);
}
