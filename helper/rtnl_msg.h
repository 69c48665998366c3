/* rtnetlink requests built by hand, for what libnl-route-3 has no call
 * for (tc's clsact, u32, cls_bpf with classic BPF, mirred): a message
 * with nested attributes in a fixed buffer, sent on its own socket and
 * answered with the kernel's exact errno. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define RTNL_MSG_MAX   4096
#define RTNL_NEST_MAX  8

struct rtnl_msg {
        uint8_t buf[RTNL_MSG_MAX] __attribute__((aligned(4)));
        size_t len;
        size_t nests[RTNL_NEST_MAX];
        unsigned depth;
        int error;      /* -EMSGSIZE once something did not fit */
};

/* A request of type (RTM_*) with flags (NLM_F_*; NLM_F_REQUEST and
 * NLM_F_ACK are added) and its family header (struct tcmsg, ifinfomsg). */
void rtnl_msg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *header, size_t header_len);
void rtnl_msg_put(struct rtnl_msg *m, uint16_t attr, const void *data, size_t len);
void rtnl_msg_put_u8(struct rtnl_msg *m, uint16_t attr, uint8_t v);
void rtnl_msg_put_u32(struct rtnl_msg *m, uint16_t attr, uint32_t v);
void rtnl_msg_put_string(struct rtnl_msg *m, uint16_t attr, const char *s);
void rtnl_msg_begin_nest(struct rtnl_msg *m, uint16_t attr);
void rtnl_msg_end_nest(struct rtnl_msg *m);

/* A NETLINK_ROUTE socket (CLOEXEC; non-blocking too when it listens to
 * groups, RTMGRP_*, 0 for none); -errno. */
int rtnl_open(unsigned groups);
/* Sends m on fd and waits for the kernel's answer: 0 or its -errno. */
int rtnl_transact(int fd, struct rtnl_msg *m);
