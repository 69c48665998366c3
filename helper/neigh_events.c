/* Neighbour events (see neigh_events.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "neigh_events.h"
#include "rtnl_msg.h"

int neigh_events_open(void) {
        return rtnl_open(RTMGRP_NEIGH);
}

int neigh_events_drain(int fd) {
        char buf[16384] __attribute__((aligned(4)));
        int n = 0;

        for (;;) {
                ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (k > 0) {
                        n++;
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == ENOBUFS)
                        return 1; /* overrun: the next refresh reads everything anyway */
                return n;
        }
}
