/* Port mirroring and the capture tap's ingress drop by tc (see mirror.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

#include "mirror.h"
#include "rtnl_msg.h"

#ifndef TC_H_CLSACT
#define TC_H_CLSACT TC_H_INGRESS
#endif
#ifndef TC_H_MIN_INGRESS
#define TC_H_MIN_INGRESS 0xFFF2U
#define TC_H_MIN_EGRESS  0xFFF3U
#endif

static struct tcmsg tc_header(int ifindex, uint32_t parent, uint32_t info) {
        return (struct tcmsg){ .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent,
                               .tcm_info = info };
}

/* The clsact qdisc on ifindex, made if missing. */
static int ensure_clsact(int fd, int ifindex) {
        struct tcmsg t = tc_header(ifindex, TC_H_CLSACT, 0);
        struct rtnl_msg m;

        t.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
        rtnl_msg_init(&m, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof t);
        rtnl_msg_put_string(&m, TCA_KIND, "clsact");
        int r = rtnl_transact(fd, &m);
        return r == -EEXIST ? 0 : r;
}

static uint32_t filter_info(unsigned prio) {
        return TC_H_MAKE((uint32_t)prio << 16, htons(ETH_P_ALL));
}

/* u32, key 0/0 at offset 0: every frame; action mirred egress mirror. */
static int add_mirror_filter(int fd, int port, uint32_t hook, int capture, unsigned prio) {
        struct tcmsg t = tc_header(port, TC_H_MAKE(TC_H_CLSACT, hook), filter_info(prio));
        struct {
                struct tc_u32_sel sel;
                struct tc_u32_key key;
        } sel = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
        struct tc_mirred parms = { .action = TC_ACT_UNSPEC, .eaction = TCA_EGRESS_MIRROR,
                                   .ifindex = (uint32_t)capture };
        struct rtnl_msg m;

        rtnl_msg_init(&m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof t);
        rtnl_msg_put_string(&m, TCA_KIND, "u32");
        rtnl_msg_begin_nest(&m, TCA_OPTIONS);
        rtnl_msg_put(&m, TCA_U32_SEL, &sel, sizeof sel);
        rtnl_msg_begin_nest(&m, TCA_U32_ACT);
        rtnl_msg_begin_nest(&m, 1); /* the first action */
        rtnl_msg_put_string(&m, TCA_ACT_KIND, "mirred");
        rtnl_msg_begin_nest(&m, TCA_ACT_OPTIONS);
        rtnl_msg_put(&m, TCA_MIRRED_PARMS, &parms, sizeof parms);
        rtnl_msg_end_nest(&m);
        rtnl_msg_end_nest(&m);
        rtnl_msg_end_nest(&m);
        rtnl_msg_end_nest(&m);
        return rtnl_transact(fd, &m);
}

static int delete_filters(int fd, int port, uint32_t hook, unsigned prio) {
        struct tcmsg t = tc_header(port, TC_H_MAKE(TC_H_CLSACT, hook), filter_info(prio));
        struct rtnl_msg m;

        rtnl_msg_init(&m, RTM_DELTFILTER, 0, &t, sizeof t);
        int r = rtnl_transact(fd, &m);
        /* gone already: the port, its qdisc or the filter */
        return r == -ENOENT || r == -ENODEV || r == -EINVAL ? 0 : r;
}

int mirror_start(int fd, int port_ifindex, int capture_ifindex, unsigned prio) {
        int r = ensure_clsact(fd, port_ifindex);
        if (r < 0)
                return r;
        r = add_mirror_filter(fd, port_ifindex, TC_H_MIN_INGRESS, capture_ifindex, prio);
        if (r < 0)
                return r;
        r = add_mirror_filter(fd, port_ifindex, TC_H_MIN_EGRESS, capture_ifindex, prio);
        if (r < 0)
                (void)delete_filters(fd, port_ifindex, TC_H_MIN_INGRESS, prio);
        return r;
}

int mirror_stop(int fd, int port_ifindex, unsigned prio) {
        int r1 = delete_filters(fd, port_ifindex, TC_H_MIN_INGRESS, prio);
        int r2 = delete_filters(fd, port_ifindex, TC_H_MIN_EGRESS, prio);
        return r1 < 0 ? r1 : r2;
}

int mirror_drop_arrivals(int fd, int capture_ifindex) {
        struct tcmsg t = tc_header(capture_ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), filter_info(1));
        struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, TC_ACT_SHOT);
        uint16_t n_ops = 1;
        struct rtnl_msg m;
        int r = ensure_clsact(fd, capture_ifindex);

        if (r < 0)
                return r;
        rtnl_msg_init(&m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof t);
        rtnl_msg_put_string(&m, TCA_KIND, "bpf");
        rtnl_msg_begin_nest(&m, TCA_OPTIONS);
        rtnl_msg_put(&m, TCA_BPF_OPS_LEN, &n_ops, sizeof n_ops);
        rtnl_msg_put(&m, TCA_BPF_OPS, &drop, sizeof drop);
        rtnl_msg_put_u32(&m, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
        rtnl_msg_end_nest(&m);
        return rtnl_transact(fd, &m);
}
