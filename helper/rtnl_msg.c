/* Hand-built rtnetlink requests (see rtnl_msg.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtnl_msg.h"

#define ALIGN4(n) (((n) + 3) & ~(size_t)3)
#define REPLY_WAIT_MS 5000

static struct nlmsghdr *header(struct rtnl_msg *m) {
        return (struct nlmsghdr *)m->buf;
}

static void *reserve(struct rtnl_msg *m, size_t n) {
        if (m->error || ALIGN4(n) > sizeof m->buf - m->len) {
                m->error = -EMSGSIZE;
                return NULL;
        }
        void *p = m->buf + m->len;
        memset(p, 0, ALIGN4(n));
        m->len += ALIGN4(n);
        header(m)->nlmsg_len = (uint32_t)m->len;
        return p;
}

void rtnl_msg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *hdr, size_t hdr_len) {
        m->len = 0;
        m->depth = 0;
        m->error = 0;
        struct nlmsghdr *h = reserve(m, NLMSG_HDRLEN);
        h->nlmsg_type = type;
        h->nlmsg_flags = flags | NLM_F_REQUEST | NLM_F_ACK;
        void *p = reserve(m, hdr_len);
        if (p)
                memcpy(p, hdr, hdr_len);
}

void rtnl_msg_put(struct rtnl_msg *m, uint16_t attr, const void *data, size_t len) {
        struct nlattr *a = reserve(m, NLA_HDRLEN + len);
        if (!a)
                return;
        a->nla_type = attr;
        a->nla_len = (uint16_t)(NLA_HDRLEN + len);
        memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

void rtnl_msg_put_u8(struct rtnl_msg *m, uint16_t attr, uint8_t v) {
        rtnl_msg_put(m, attr, &v, sizeof v);
}

void rtnl_msg_put_u32(struct rtnl_msg *m, uint16_t attr, uint32_t v) {
        rtnl_msg_put(m, attr, &v, sizeof v);
}

void rtnl_msg_put_string(struct rtnl_msg *m, uint16_t attr, const char *s) {
        rtnl_msg_put(m, attr, s, strlen(s) + 1);
}

void rtnl_msg_begin_nest(struct rtnl_msg *m, uint16_t attr) {
        if (m->depth == RTNL_NEST_MAX) {
                m->error = -EMSGSIZE;
                return;
        }
        size_t at = m->len;
        struct nlattr *a = reserve(m, NLA_HDRLEN);
        if (!a)
                return;
        a->nla_type = attr | NLA_F_NESTED;
        m->nests[m->depth++] = at;
}

void rtnl_msg_end_nest(struct rtnl_msg *m) {
        if (m->error || m->depth == 0)
                return;
        size_t at = m->nests[--m->depth];
        ((struct nlattr *)(m->buf + at))->nla_len = (uint16_t)(m->len - at);
}

int rtnl_open(unsigned groups) {
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (groups ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

int rtnl_transact(int fd, struct rtnl_msg *m) {
        static uint32_t seq;
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        uint8_t reply[8192] __attribute__((aligned(4)));
        int len;

        if (m->error)
                return m->error;
        if (m->depth != 0)
                return -EINVAL;
        header(m)->nlmsg_seq = ++seq;
        if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
                return -errno;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n = poll(&p, 1, REPLY_WAIT_MS);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -ETIMEDOUT;
                ssize_t k = recv(fd, reply, sizeof reply, MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                len = (int)k;
                for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                        if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
                                continue; /* an answer to an older request that timed out */
                        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                                return -EBADMSG;
                        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
                }
        }
}
