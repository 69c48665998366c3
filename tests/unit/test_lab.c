/* The lab's request paths without privileges: sessions, taps, STATUS and
 * the authorisation table of requests.c, driven through request_handle()
 * against a fake world behind lab_ops (users, links, processes).  What a
 * student does to the kernel's own idea of a tap (TUNSETOWNER) never
 * reaches these paths: they know only vmnetd's records.  Allocation
 * failures are injected at every step of an OPEN: it either succeeds whole
 * or leaves nothing (no entry, no link). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "lab.h"
#include "lab_ops.h"
#include "requests.h"
#include "segment_name.h"
#include "state.h"

/* ---- allocation failures on demand ---- */

void *__real_realloc(void *p, size_t size);
static int reallocs_until_failure = -1; /* -1: never fail */

void *__wrap_realloc(void *p, size_t size) {
        if (reallocs_until_failure == 0)
                return NULL;
        if (reallocs_until_failure > 0)
                reallocs_until_failure--;
        return __real_realloc(p, size);
}

/* ---- the fake world ---- */

struct fake_user {
        const char *name;
        uid_t uid;
        bool allowed;
};

static const struct fake_user users[] = {
        { "root", 0, true },
        { "stu1", 61001, true },
        { "stu2", 61002, true },
        { "outsider", 61009, false },
        { "teach1", 61010, true },
        { "vmnet", 60990, true },      /* vmnetd's own user, its names program's */
        /* 61777: a uid with no passwd entry */
};

#define UID_ROOT     0
#define UID_STU1     61001
#define UID_STU2     61002
#define UID_OUTSIDER 61009
#define UID_NOBODY   61777
#define UID_TEACHER  61010
#define GID_TEACHERS 62000 /* teach1's supplementary group, and the lab's teacher_groups */
#define UID_SELF     60990

struct fake_link {
        int ifindex, peer, master;
        char name[IFNAMSIZ], kind[8];
        uid_t kernel_owner; /* what a tap's sysfs owner says: the student may change it */
};

/* What the kernel would say of an fd passed as a network namespace. */
struct fake_netns {
        const char *label; /* how a test names it (ask()'s arg for NETNS_ATTACH) */
        int error;         /* netns_owner()'s error (not a namespace, the host's), or 0 */
        uid_t owner;
        char links[4][IFNAMSIZ]; /* the names of links made in it */
        size_t n_links;
        int fd;            /* an eventfd standing for it */
};

static struct fake_netns namespaces[] = {
        { .label = "ns-stu1", .owner = UID_STU1 },
        { .label = "ns-stu2", .owner = UID_STU2 },
        { .label = "ns-root", .owner = UID_ROOT },  /* root's own user namespace (unshare -Urn as root) */
        { .label = "ns-host", .error = EPERM },     /* owned by vmnetd's user namespace */
        { .label = "file",    .error = ENOTTY },    /* no namespace at all */
        { .label = "ns-user", .error = EINVAL },    /* a namespace, not a network one */
};

static struct {
        struct fake_link links[512];
        size_t n_links;
        size_t last_deleted;  /* links in the last links_delete() */
        int next_ifindex;
        int fail_login_link_create, fail_tap_create; /* an errno to fail with, or 0 */
        int fail_port_open;     /* the errno a pool link's port fails to open with, after its rename */
        bool fail_links_delete; /* links_delete() deletes nothing */
        int unpluggable_segment;                     /* the bridge segment_plug fails for, or 0 */
        int fail_seal;                               /* segments_seal's errno, or 0 */
        unsigned seals;
        unsigned watched;
        uint64_t last_watch_id;
        char port_of_mac[IFNAMSIZ];
        unsigned mirrors;      /* mirror filters in place */
        unsigned n_captures;   /* capture taps made */
} world;

static struct fake_link *link_named(const char *name) {
        for (size_t i = 0; i < world.n_links; i++)
                if (strcmp(world.links[i].name, name) == 0)
                        return &world.links[i];
        return NULL;
}

static struct fake_link *link_at(int ifindex) {
        for (size_t i = 0; i < world.n_links; i++)
                if (world.links[i].ifindex == ifindex)
                        return &world.links[i];
        return NULL;
}

static struct fake_link *add_link(const char *name, const char *kind, uid_t owner) {
        struct fake_link *l = &world.links[world.n_links++];
        *l = (struct fake_link) { .ifindex = world.next_ifindex++, .kernel_owner = owner };
        strcpy(l->name, name);
        strcpy(l->kind, kind);
        return l;
}

static void remove_link(int ifindex) {
        struct fake_link *l = link_at(ifindex);
        if (!l)
                return;
        int peer = l->peer;
        *l = world.links[--world.n_links];
        if (peer)
                remove_link(peer);
}

static void as_kernel_link(const struct fake_link *l, struct kernel_link *ret) {
        *ret = (struct kernel_link) { .ifindex = l->ifindex, .link = l->peer, .flags = IFF_UP | IFF_LOWER_UP };
        strcpy(ret->name, l->name);
        strcpy(ret->kind, l->kind);
}

/* A veth pair: name and its bridge end vmnpN. */
static void add_pair(const char *name, struct kernel_link *ret_student_end, struct kernel_link *ret_bridge_end) {
        char peer[IFNAMSIZ];
        snprintf(peer, sizeof peer, "vmnp%d", world.next_ifindex + 1);
        struct fake_link *a = add_link(name, "veth", 0), *b = add_link(peer, "veth", 0);
        a->peer = b->ifindex;
        b->peer = a->ifindex;
        as_kernel_link(a, ret_student_end);
        as_kernel_link(b, ret_bridge_end);
}

static int fake_login_link_create(struct lab *lab, const char *name, struct kernel_link *ret_student_end,
                                  struct kernel_link *ret_bridge_end) {
        (void)lab;
        if (world.fail_login_link_create)
                return -world.fail_login_link_create;
        if (link_named(name))
                return -EEXIST;
        add_pair(name, ret_student_end, ret_bridge_end);
        return 0;
}

static int fake_pool_link_create(struct lab *lab, struct kernel_link *ret_student_end,
                                 struct kernel_link *ret_bridge_end) {
        char name[IFNAMSIZ];
        (void)lab;
        snprintf(name, sizeof name, "vmnw%d", world.next_ifindex);
        add_pair(name, ret_student_end, ret_bridge_end);
        return 0;
}

static int fake_pool_link_hand_out(struct lab *lab, int student_ifindex, int bridge_end_ifindex, const char *name) {
        struct fake_link *l = link_at(student_ifindex);
        (void)lab;
        if (link_named(name))
                return -EEXIST;
        /* only a link still waiting in the pool is ever handed out, with its own port */
        assert_non_null(l);
        assert_memory_equal(l->name, "vmnw", 4);
        assert_non_null(link_at(bridge_end_ifindex));
        assert_int_equal(l->peer, bridge_end_ifindex);
        strcpy(l->name, name);
        return world.fail_port_open ? -world.fail_port_open : 0;
}

static int fake_login_link_plug(struct lab *lab, int student_ifindex, int bridge_end_ifindex) {
        (void)lab;
        return link_at(student_ifindex) && link_at(bridge_end_ifindex) ? 0 : -ENODEV;
}

static int fake_tap_create(struct lab *lab, const char *name, uid_t owner, bool persistent,
                           const struct tap_features *features, int bridge_ifindex, int *ret_fd, int *ret_ifindex) {
        (void)lab, (void)persistent, (void)features;
        if (world.fail_tap_create)
                return -world.fail_tap_create;
        if (link_named(name))
                return -EEXIST;
        assert_non_null(link_at(bridge_ifindex));
        *ret_fd = eventfd(0, EFD_CLOEXEC);
        assert_true(*ret_fd >= 0);
        struct fake_link *l = add_link(name, "tun", owner);
        l->master = bridge_ifindex;
        *ret_ifindex = l->ifindex;
        return 0;
}

static int fake_segment_create(struct lab *lab, const char *bridge, const char *link, struct kernel_link *ret_bridge,
                               struct kernel_link *ret_link, struct kernel_link *ret_peer) {
        char peer[IFNAMSIZ];
        (void)lab;
        if (link_named(bridge) || link_named(link))
                return -EEXIST;
        struct fake_link *br = add_link(bridge, "bridge", 0);
        snprintf(peer, sizeof peer, "vmns%d", world.next_ifindex + 1);
        struct fake_link *a = add_link(link, "veth", 0), *b = add_link(peer, "veth", 0);
        a->peer = b->ifindex;
        b->peer = a->ifindex;
        b->master = br->ifindex;
        as_kernel_link(br, ret_bridge);
        as_kernel_link(a, ret_link);
        as_kernel_link(b, ret_peer);
        return 0;
}

static int fake_segment_plug(struct lab *lab, int bridge_ifindex, int link_ifindex, int peer_ifindex) {
        (void)lab;
        if (bridge_ifindex == world.unpluggable_segment)
                return -EIO;
        struct fake_link *peer = link_at(peer_ifindex);
        if (!link_at(bridge_ifindex) || !link_at(link_ifindex) || !peer)
                return -ENODEV;
        peer->master = bridge_ifindex;
        return 0;
}

static struct fake_netns *netns_of_fd(int fd) {
        for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
                if (namespaces[i].fd == fd)
                        return &namespaces[i];
        return NULL;
}

static struct fake_netns *netns_labelled(const char *label) {
        for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
                if (strcmp(namespaces[i].label, label) == 0)
                        return &namespaces[i];
        return NULL;
}

static int fake_netns_owner(int fd, uid_t *ret_owner) {
        struct fake_netns *ns = netns_of_fd(fd);
        if (!ns)
                return -EBADF;
        if (ns->error)
                return -ns->error;
        *ret_owner = ns->owner;
        return 0;
}

static int fake_netns_link_create(struct lab *lab, int netns_fd, const char *name, int bridge_ifindex,
                                  struct kernel_link *ret_port) {
        struct fake_netns *ns = netns_of_fd(netns_fd);
        char port[IFNAMSIZ];
        assert_non_null(ns);
        for (size_t i = 0; i < ns->n_links; i++)
                if (strcmp(ns->links[i], name) == 0)
                        return -EEXIST;
        assert_true(ns->n_links < 4);
        strcpy(ns->links[ns->n_links++], name);
        snprintf(port, sizeof port, "%s%d", bridge_ifindex == lab->bridge_ifindex ? "vmnc" : "vmns", world.next_ifindex);
        struct fake_link *l = add_link(port, "veth", 0);
        l->master = bridge_ifindex;
        as_kernel_link(l, ret_port);
        return 0;
}

static int fake_links_delete(struct lab *lab, const int *ifindexes, size_t n) {
        (void)lab;
        world.last_deleted = n;
        if (world.fail_links_delete)
                return 0; /* as links_delete() when no link could be put in the dying group */
        for (size_t i = 0; i < n; i++)
                remove_link(ifindexes[i]);
        return (int)n;
}

static int fake_link_get(struct lab *lab, int ifindex, struct kernel_link *ret) {
        struct fake_link *l = link_at(ifindex);
        (void)lab;
        if (!l)
                return -ENODEV;
        as_kernel_link(l, ret);
        return 0;
}

static int fake_capture_start(struct lab *lab, int port_ifindex, unsigned prio, int *ret_fd,
                              struct kernel_link *ret_tap) {
        char name[IFNAMSIZ];
        (void)lab, (void)prio;
        if (!link_at(port_ifindex))
                return -ENODEV;
        snprintf(name, sizeof name, "vmcap%u", world.n_captures++);
        as_kernel_link(add_link(name, "tun", (uid_t)-1), ret_tap);
        *ret_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        world.mirrors++;
        return 0;
}

static int fake_capture_stop(struct lab *lab, int port_ifindex, unsigned prio) {
        (void)lab, (void)port_ifindex, (void)prio;
        if (world.mirrors > 0)
                world.mirrors--;
        return 0;
}

static int fake_port_of_mac(struct lab *lab, const uint8_t mac[6], char ret_port[IFNAMSIZ]) {
        (void)lab, (void)mac;
        if (!world.port_of_mac[0])
                return -ENOENT;
        strcpy(ret_port, world.port_of_mac);
        return 0;
}

static int fake_process_pidfd(pid_t pid, unsigned long long start_time, unsigned long long *ret_start_time) {
        (void)pid, (void)start_time;
        if (ret_start_time)
                *ret_start_time = 4242;
        return eventfd(0, EFD_CLOEXEC);
}

static int fake_process_start_time(pid_t pid, unsigned long long *ret) {
        (void)pid;
        *ret = 4242;
        return 0;
}

static const struct fake_user *user_named(const char *name) {
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
                if (strcmp(users[i].name, name) == 0)
                        return &users[i];
        return NULL;
}

static int fill_user(const struct fake_user *u, struct user_info *ret) {
        if (!u)
                return -ENOENT;
        *ret = (struct user_info) { .uid = u->uid, .gid = u->uid };
        strcpy(ret->name, u->name);
        return 0;
}

static int fake_user_by_name(const char *name, struct user_info *ret) {
        return fill_user(user_named(name), ret);
}

static int fake_user_by_uid(uid_t uid, struct user_info *ret) {
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
                if (users[i].uid == uid)
                        return fill_user(&users[i], ret);
        return -ENOENT;
}

static bool fake_user_is_allowed(struct lab *lab, const struct user_info *user) {
        (void)lab;
        const struct fake_user *u = user_named(user->name);
        return u && u->allowed;
}

static int fake_segments_seal(struct lab *lab) {
        (void)lab;
        world.seals++;
        return world.fail_seal ? -world.fail_seal : 0;
}

static const struct lab_ops fake_ops = {
        .login_link_create = fake_login_link_create,
        .login_link_plug = fake_login_link_plug,
        .pool_link_create = fake_pool_link_create,
        .pool_link_hand_out = fake_pool_link_hand_out,
        .tap_create = fake_tap_create,
        .netns_link_create = fake_netns_link_create,
        .netns_owner = fake_netns_owner,
        .segment_create = fake_segment_create,
        .segment_plug = fake_segment_plug,
        .segments_seal = fake_segments_seal,
        .links_delete = fake_links_delete,
        .link_get = fake_link_get,
        .port_of_mac = fake_port_of_mac,
        .capture_start = fake_capture_start,
        .capture_stop = fake_capture_stop,
        .process_pidfd = fake_process_pidfd,
        .process_start_time = fake_process_start_time,
        .user_by_name = fake_user_by_name,
        .user_by_uid = fake_user_by_uid,
        .user_is_allowed = fake_user_is_allowed,
};

static int fake_watch(void *ctx, int pidfd, uint64_t *ret_id) {
        (void)ctx, (void)pidfd;
        world.watched++;
        *ret_id = ++world.last_watch_id;
        return 0;
}

static void fake_unwatch(void *ctx, int pidfd) {
        (void)ctx, (void)pidfd;
        world.watched--;
}

/* ---- a lab on the fake world ---- */

static struct lab lab;
static char run_dir[64];

static int setup(void **state) {
        struct vmnet_config config;
        (void)state;
        memset(&world, 0, sizeof world);
        world.next_ifindex = 10;
        reallocs_until_failure = -1;
        strcpy(run_dir, "/tmp/vmnet-test-lab.XXXXXX");
        assert_non_null(mkdtemp(run_dir));
        config_defaults(&config);
        strcpy(config.run_dir, run_dir);
        config.max_taps = 3;
        memset(&lab, 0, sizeof lab);
        assert_int_equal(lab_init(&lab, &config, &fake_ops), 0);
        lab.bridge_ifindex = add_link("vmnet0", "bridge", 0)->ifindex;
        lab.watch_pidfd = fake_watch;
        lab.unwatch_pidfd = fake_unwatch;
        lab.self_uid = UID_SELF;
        for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
                namespaces[i].n_links = 0;
                namespaces[i].fd = eventfd(0, EFD_CLOEXEC);
                assert_true(namespaces[i].fd >= 0);
        }
        lab.teacher_gids[0] = GID_TEACHERS;
        lab.n_teacher_gids = 1;
        return 0;
}

/* A lab view as lab_views_refresh() leaves it (which reads the kernel):
 * stu2's VM "srv" behind stu2's login link. */
static void fake_view(void) {
        struct lab_view *v = &lab.views.current;
        struct lab_view_student s = { .user = "stu2", .uid = UID_STU2, .sessions = 1 };
        struct lab_view_link l = { .student = 0, .name = "tap-stu2", .port = "vmnp-x", .kind = VMNET_TAP_LOGIN };
        struct lab_view_vm m = { .mac = { 0x52, 0x55, 0, 0, 0, 2 }, .name = "srv", .owner = "stu2",
                                 .owner_uid = UID_STU2, .link = 0 };
        lab_views_clear(&lab.views);
        strcpy(v->bridge, "vmnet0");
        assert_int_equal(lab_view_add_student(v, &s), 0);
        assert_int_equal(lab_view_add_link(v, &l), 0);
        assert_int_equal(lab_view_add_vm(v, &m), 0);
        v->generation = lab.views.generation = 1;
        assert_int_equal(lab_view_encode(v, &lab.views.blob, &lab.views.blob_size), 0);
}

static int teardown(void **state) {
        char path[128];
        (void)state;
        for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
                close(namespaces[i].fd);
        students_clear(&lab.students);
        link_registry_clear(&lab.links);
        lab_views_clear(&lab.views);
        free(lab.captures.v);
        snprintf(path, sizeof path, "%s/state", run_dir);
        unlink(path);
        assert_int_equal(rmdir(run_dir), 0);
        return 0;
}

/* Sends one request as uid; returns the status, the tap or fd in the reply.
 * For NETNS_ATTACH, arg is a namespace's label, then optionally ":" and
 * the link's name in it, then optionally "@" and a segment's name.  For
 * SEGMENT_ADD, a segment's name, then optionally ":keep". */
static uint16_t ask(uid_t uid, uint8_t type, const char *arg, struct vmnet_reply *ret_rep, int *ret_fd) {
        struct peer peer = { .uid = uid, .pid = 4000 + (pid_t)(uid % 1000), .pidfd = -1,
                             .groups = { (gid_t)uid, GID_TEACHERS }, .n_groups = uid == UID_TEACHER ? 2 : 1 };
        struct vmnet_request req = { .type = type, .fd = -1 };
        struct vmnet_reply rep;
        int fd;

        if (type == VMNET_MSG_OPEN || type == VMNET_MSG_CLOSE)
                snprintf(req.user, sizeof req.user, "%s", arg);
        else if (type == VMNET_MSG_TAP_DEL)
                snprintf(req.tap, sizeof req.tap, "%s", arg);
        else if (type == VMNET_MSG_VM_TAP)
                snprintf(req.bridge, sizeof req.bridge, "%s", arg);
        else if (type == VMNET_MSG_ISOLATION)
                req.isolation = (uint8_t)(arg[0] - '0');
        else if (type == VMNET_MSG_NETNS_ATTACH) {
                char label[32];
                const char *at = strchr(arg, '@'), *colon = strchr(arg, ':');
                size_t end = at ? (size_t)(at - arg) : strlen(arg);
                if (colon && (size_t)(colon - arg) > end)
                        colon = NULL;
                snprintf(label, sizeof label, "%.*s", colon ? (int)(colon - arg) : (int)end, arg);
                if (colon)
                        snprintf(req.ifname, sizeof req.ifname, "%.*s", (int)(end - (size_t)(colon + 1 - arg)),
                                 colon + 1);
                if (at)
                        snprintf(req.segment, sizeof req.segment, "%s", at + 1);
                assert_non_null(netns_labelled(label));
                req.fd = netns_labelled(label)->fd;
        } else if (type == VMNET_MSG_SEGMENT_ADD) {
                const char *colon = strchr(arg, ':');
                snprintf(req.segment, sizeof req.segment, "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
                if (colon && strcmp(colon, ":keep") == 0)
                        req.segment_flags = VMNET_SEGMENT_KEEP;
        } else if (type == VMNET_MSG_SEGMENT_DEL)
                snprintf(req.segment, sizeof req.segment, "%s", arg);
        else if (type == VMNET_MSG_CAPTURE)
                snprintf(req.target, sizeof req.target, "%s", arg);
        else if (type == VMNET_MSG_LAB_VIEW || type == VMNET_MSG_SUBSCRIBE)
                req.scope = strcmp(arg, "all") == 0 ? VMNET_SCOPE_ALL : strcmp(arg, "mine") == 0 ? VMNET_SCOPE_MINE : 7;
        else if (type == VMNET_MSG_OWNER)
                memcpy(req.mac, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, 6); /* behind world.port_of_mac */
        request_handle(&lab, &peer, &req, &rep, &fd);
        if (ret_rep)
                *ret_rep = rep;
        if (ret_fd)
                *ret_fd = fd;
        else if (fd >= 0)
                close(fd);
        return rep.status;
}

static void flush(void) {
        while (lab_has_deletions(&lab))
                lab_flush_deletions(&lab);
}

/* ---- sessions ---- */

static void test_sessions_counted(void **state) {
        struct vmnet_reply rep;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.tap, "tap-stu1");
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", &rep, NULL), VMNET_OK);
        assert_non_null(link_named("tap-stu1"));
        assert_int_equal(world.n_links, 3); /* bridge + one login link pair */
        assert_int_equal(world.watched, 2);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_non_null(link_named("tap-stu1"));
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_null(link_named("tap-stu1"));
        assert_int_equal(world.n_links, 1);
        assert_int_equal(lab.links.n, 0);
        assert_int_equal(lab.students.n, 0);
        assert_int_equal(world.watched, 0);
        /* closing what is not open is no error */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
}

static void test_session_died(void **state) {
        (void)state;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        uint64_t id = world.last_watch_id;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        /* an event for a watch that is gone (or never was) touches nothing */
        lab_session_died(&lab, 0);
        lab_session_died(&lab, id + 100);
        assert_int_equal(lab.students.n, 2);
        lab_session_died(&lab, id);
        flush();
        assert_null(link_named("tap-stu1"));
        assert_non_null(link_named("tap-stu2"));
        /* the same event again, as a stale one in the same batch would be */
        lab_session_died(&lab, id);
        assert_non_null(link_named("tap-stu2"));
        assert_int_equal(lab.students.n, 1);
}

/* An OPEN that fails leaves neither an entry nor a link (a new student
 * stayed in the table with a live login link and no session). */
static void test_open_failure_leaves_nothing(void **state) {
        (void)state;
        world.fail_login_link_create = EIO;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(lab.students.n, 0);
        assert_int_equal(world.n_links, 1);
        world.fail_login_link_create = 0;

        /* every allocation of an OPEN failing in turn */
        for (int k = 0;; k++) {
                reallocs_until_failure = k;
                uint16_t status = ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL);
                bool failed_somewhere = reallocs_until_failure == 0;
                reallocs_until_failure = -1;
                if (status == VMNET_OK) {
                        assert_int_equal(lab.students.n, 1);
                        assert_int_equal(lab.students.v[0]->n_sessions, 1);
                        assert_non_null(link_registry_by_name(&lab.links, "tap-stu1", 0));
                        assert_non_null(link_named("tap-stu1"));
                        if (!failed_somewhere)
                                break; /* no allocation left to fail */
                        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
                        flush();
                } else {
                        assert_int_equal(status, VMNET_ERR_INTERNAL);
                        assert_int_equal(lab.students.n, 0);
                        assert_int_equal(lab.links.n, 0);
                }
                assert_null(link_named("tap-stu1"));
                assert_int_equal(world.n_links, 1);
                assert_true(k < 100);
        }
}

/* Two students whose login link names meet never share one. */
static void test_login_link_name_taken(void **state) {
        struct link_record other = { .ifindex = 99, .name = "tap-stu1", .kind = LINK_LOGIN, .owner = 7 };
        (void)state;
        assert_int_equal(link_registry_add(&lab.links, &other), 0);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(lab.students.n, 0);
        /* nor is a link vmnetd did not make taken over */
        link_registry_remove(&lab.links, 99);
        add_link("tap-stu1", "veth", 0);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(lab.students.n, 0);
}

/* ---- taps ---- */

static void test_taps_and_quota(void **state) {
        struct vmnet_reply rep;
        int fd;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.tap, "tap-stu1+1");
        /* a name someone else's link has is skipped, never taken over */
        add_link("tap-stu1+2", "tun", UID_STU1);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "vmnet0", &rep, &fd), VMNET_OK);
        assert_string_equal(rep.tap, "tap-stu1+3");
        assert_true(fd >= 0);
        close(fd);
        /* login link + 2 taps = max_taps 3 */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_ERR_QUOTA);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_STATUS, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_taps, 3);
        assert_string_equal(rep.taps[0].name, "tap-stu1");
        assert_int_equal(rep.taps[0].kind, VMNET_TAP_LOGIN);
        assert_string_equal(rep.taps[1].name, "tap-stu1+1");
        assert_int_equal(rep.taps[1].kind, VMNET_TAP_PERSISTENT);
        assert_string_equal(rep.taps[2].name, "tap-stu1+3");
        assert_int_equal(rep.taps[2].kind, VMNET_TAP_VM);
        assert_int_equal(rep.taps[2].flags, VMNET_TAP_FLAG_CARRIER | VMNET_TAP_FLAG_UP);

        /* the VM exits: the kernel's event takes its record, and its quota */
        struct kernel_link gone;
        as_kernel_link(link_named("tap-stu1+3"), &gone);
        remove_link(gone.ifindex);
        lab_link_event(&lab, &gone, true);
        assert_null(link_registry_by_name(&lab.links, "tap-stu1+3", 0));
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", &rep, NULL), VMNET_OK);

        /* tap del: the student's own persistent taps only */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_DEL, "tap-stu1", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_DEL, "tap-stu1+2", NULL, NULL), VMNET_ERR_REFUSED);
        assert_non_null(link_named("tap-stu1+2"));
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_DEL, "tap-stu1+1", NULL, NULL), VMNET_OK);
        assert_null(link_named("tap-stu1+1"));

        /* the last logout takes the persistent taps, not the admin's link */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_null(link_named("tap-stu1"));
        assert_null(link_named("tap-stu1+3")); /* the persistent one made after the VM left */
        assert_non_null(link_named("tap-stu1+2"));
}

/* A student hands a tap to another user (TUNSETOWNER changes only what the
 * kernel says): it stays theirs in quota, STATUS, attribution and cleanup. */
static void test_tap_given_away(void **state) {
        struct vmnet_reply rep;
        uid_t uid;
        char user[VMNET_USER_MAX + 1];
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", &rep, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_OK);
        link_named("tap-stu1+1")->kernel_owner = UID_STU2;
        link_named("tap-stu1+2")->kernel_owner = UID_ROOT;

        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_ERR_QUOTA);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_STATUS, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_taps, 1);
        assert_string_equal(rep.taps[0].name, "tap-stu2");
        assert_int_equal(ask(UID_STU2, VMNET_MSG_TAP_DEL, "tap-stu1+1", NULL, NULL), VMNET_ERR_REFUSED);
        strcpy(world.port_of_mac, "tap-stu1+1");
        assert_int_equal(lab_owner_of_mac((const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, &uid, user, &lab), 0);
        assert_int_equal(uid, UID_STU1);
        assert_string_equal(user, "stu1");
        /* behind a login link: its bridge end is the port */
        strcpy(world.port_of_mac, link_at(link_named("tap-stu2")->peer)->name);
        assert_int_equal(lab_owner_of_mac((const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 2 }, &uid, user, &lab), 0);
        assert_int_equal(uid, UID_STU2);
        /* the guard's question: the uid alone */
        uid = 0;
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 2 }, &uid), 0);
        assert_int_equal(uid, UID_STU2);
        strcpy(world.port_of_mac, "vmnet0");
        assert_int_equal(lab_owner_of_mac((const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 3 }, &uid, user, &lab), -ENOENT);
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 3 }, &uid), -ENOENT);
        /* the same answers from the index the guard holds for its leases */
        lab_port_owners_hold(&lab);
        assert_non_null(lab.port_owners);
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 3 }, &uid), -ENOENT);
        strcpy(world.port_of_mac, link_at(link_named("tap-stu2")->peer)->name);
        uid = 0;
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 2 }, &uid), 0);
        assert_int_equal(uid, UID_STU2);
        strcpy(world.port_of_mac, "tap-stu1+1");
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, &uid), 0);
        assert_int_equal(uid, UID_STU1);
        strcpy(world.port_of_mac, "tap-stu2"); /* a login link's own end is no port */
        assert_int_equal(lab_owner_uid_of_mac(&lab, (const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 2 }, &uid), -ENOENT);
        lab_port_owners_release(&lab);
        assert_null(lab.port_owners);
        strcpy(world.port_of_mac, "vmnet0");
        /* the names program hears the same through OWNER (an unknown one is an answer) */
        assert_int_equal(ask(UID_SELF, VMNET_MSG_OWNER, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.owner_uid, VMNET_OWNER_UNKNOWN);
        assert_string_equal(rep.user, "");
        strcpy(world.port_of_mac, "tap-stu1+1");
        assert_int_equal(ask(UID_SELF, VMNET_MSG_OWNER, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.owner_uid, UID_STU1);
        assert_string_equal(rep.user, "stu1");

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_null(link_named("tap-stu1+1"));
        assert_null(link_named("tap-stu1+2"));
        assert_non_null(link_named("tap-stu2"));
}

/* ---- network namespaces ---- */

/* A student's own namespace gets a link (eth0 unless named), counted in
 * max_taps, listed, attributed; it stays across the owner's logout and
 * goes when the kernel says its link went (the namespace died). */
static void test_netns_attach(void **state) {
        struct vmnet_reply rep;
        uid_t uid;
        char user[64];
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1", &rep, NULL), VMNET_OK);
        char port[IFNAMSIZ];
        strcpy(port, rep.tap);
        assert_non_null(link_named(port));
        assert_string_equal(netns_labelled("ns-stu1")->links[0], "eth0");
        const struct link_record *rec = link_registry_by_name(&lab.links, port, LINK_KIND_BIT(LINK_NETNS));
        assert_non_null(rec);
        assert_int_equal(rec->owner, UID_STU1);
        /* a name it has already: told so, nothing made */
        size_t links = world.n_links;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1:eth0", NULL, NULL), VMNET_ERR_NAME_TAKEN);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1:a/b", NULL, NULL), VMNET_ERR_BAD_REQUEST);
        assert_int_equal(world.n_links, links);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1:lab1", &rep, NULL), VMNET_OK);
        assert_string_equal(netns_labelled("ns-stu1")->links[1], "lab1");
        /* login link + 2 = max_taps 3: over quota is the one refusal, no tap is made either */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1:lab2", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_ERR_QUOTA);
        assert_int_equal(world.n_links, links + 1);

        assert_int_equal(ask(UID_STU1, VMNET_MSG_STATUS, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_taps, 3);
        assert_string_equal(rep.taps[0].name, "tap-stu1");
        for (unsigned i = 1; i < 3; i++)
                assert_int_equal(rep.taps[i].kind, VMNET_TAP_NETNS);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_STATUS, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_taps, 0);
        strcpy(world.port_of_mac, port);
        assert_int_equal(lab_owner_of_mac((const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, &uid, user, &lab), 0);
        assert_int_equal(uid, UID_STU1);

        /* the owner's logout leaves it: it lives with the namespace */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_non_null(link_named(port));
        assert_non_null(link_registry_by_name(&lab.links, port, 0));
        /* the namespace goes, the kernel deletes the link: the record follows */
        struct kernel_link gone;
        as_kernel_link(link_named(port), &gone);
        remove_link(gone.ifindex);
        lab_link_event(&lab, &gone, true);
        assert_null(link_registry_by_name(&lab.links, port, 0));
        struct saved_state saved;
        assert_int_equal(state_load(lab.state_path, &saved), 0);
        assert_null(link_registry_by_name(&saved.links, port, 0));
        assert_int_equal(saved.links.n, 1); /* lab1's */
        assert_int_equal(saved.links.v[0].kind, LINK_NETNS);
        saved_state_clear(&saved);
}

/* ---- private segments ---- */

static const char *bridge_of(const char *user, const char *segment) {
        static char name[IFNAMSIZ];
        assert_int_equal(segment_bridge_name(user, segment, name), 0);
        return name;
}

/* The kernel goes through with what it says: the link is gone, its event comes. */
static void kernel_deletes(const char *name) {
        struct kernel_link gone;
        assert_non_null(link_named(name));
        as_kernel_link(link_named(name), &gone);
        remove_link(gone.ifindex);
        lab_link_event(&lab, &gone, true);
}

/* A segment of the student's own: a bridge and a link for VirtualBox, named
 * from student and segment; within max_segments; listed to its owner only;
 * QEMU's taps and containers' links on it, counted in max_taps; deleted
 * only once nothing is attached; its name taken only by its owner. */
static void test_segments(void **state) {
        struct vmnet_reply rep;
        int fd;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(world.seals, 0); /* a lab without segments has no seal */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", &rep, NULL), VMNET_OK);
        assert_int_equal(world.seals, 1);
        assert_string_equal(rep.tap, "stu1=lan2");
        assert_string_equal(rep.bridge, bridge_of("stu1", "lan2"));
        const struct fake_link *br = link_named(bridge_of("stu1", "lan2")), *link = link_named("stu1=lan2");
        assert_non_null(br);
        assert_string_equal(br->kind, "bridge");
        assert_non_null(link);
        assert_int_equal(link_at(link->peer)->master, br->ifindex);
        assert_int_equal(strncmp(link_at(link->peer)->name, "vmns", 4), 0);
        int bridge1 = br->ifindex;

        /* names: the student's own once, never the lab bridge's, never a bad one */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_ERR_SEGMENT_EXISTS);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "vmnet0", NULL, NULL), VMNET_ERR_BAD_REQUEST);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "Lan2", NULL, NULL), VMNET_ERR_BAD_REQUEST);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan/2", NULL, NULL), VMNET_ERR_BAD_REQUEST);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan3:keep", &rep, NULL), VMNET_OK);
        /* max_segments (2) */
        size_t links = world.n_links;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan4", NULL, NULL), VMNET_ERR_SEGMENT_QUOTA);
        assert_int_equal(world.n_links, links);

        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_LIST, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.max_segments, 2);
        assert_int_equal(rep.n_segments, 2);
        assert_string_equal(rep.segments[0].name, "lan2");
        assert_string_equal(rep.segments[0].link, "stu1=lan2");
        assert_string_equal(rep.segments[0].bridge, bridge_of("stu1", "lan2"));
        assert_int_equal(rep.segments[0].flags, 0);
        assert_string_equal(rep.segments[1].name, "lan3");
        assert_int_equal(rep.segments[1].flags, VMNET_SEGMENT_KEEP);
        assert_int_equal(rep.n_segment_ports, 0);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_LIST, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_segments, 0);

        assert_int_equal(world.seals, 1); /* once is enough */
        /* stu2's own lan2 is another segment */
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_ADD, "lan2", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.bridge, bridge_of("stu2", "lan2"));
        assert_string_not_equal(rep.bridge, bridge_of("stu1", "lan2"));

        /* QEMU through the bridge helper: br=lan2 is the caller's own lan2 */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "lan2", &rep, &fd), VMNET_OK);
        assert_true(fd >= 0);
        close(fd);
        char tap[IFNAMSIZ];
        strcpy(tap, rep.tap);
        assert_int_equal(strncmp(tap, "vmns", 4), 0);
        assert_int_equal(link_named(tap)->master, bridge1);
        assert_int_equal(link_named(tap)->kernel_owner, UID_STU1);
        const struct link_record *rec = link_registry_by_name(&lab.links, tap, 0);
        assert_int_equal(rec->kind, LINK_SEGMENT_TAP);
        assert_int_equal(rec->segment, bridge1);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_VM_TAP, "lan2", &rep, &fd), VMNET_OK);
        close(fd);
        assert_int_equal(link_named(rep.tap)->master, link_named(bridge_of("stu2", "lan2"))->ifindex);
        /* anybody else's segment, or none: the one refusal */
        assert_int_equal(ask(UID_STU2, VMNET_MSG_VM_TAP, "lan3", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_VM_TAP, "lan9", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_OUTSIDER, VMNET_MSG_VM_TAP, "lan2", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_NETNS_ATTACH, "ns-stu2@lan3", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(netns_labelled("ns-stu2")->n_links, 0);

        /* a container on the segment: login link + tap + it = max_taps 3 */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_NETNS_ATTACH, "ns-stu1:eth1@lan2", &rep, NULL), VMNET_OK);
        char port[IFNAMSIZ];
        strcpy(port, rep.tap);
        assert_int_equal(strncmp(port, "vmns", 4), 0);
        assert_int_equal(link_named(port)->master, bridge1);
        assert_string_equal(netns_labelled("ns-stu1")->links[0], "eth1");
        assert_int_equal(link_registry_by_name(&lab.links, port, 0)->kind, LINK_SEGMENT_NETNS);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "lan2", NULL, NULL), VMNET_ERR_QUOTA);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_STATUS, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_taps, 3);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_LIST, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_segment_ports, 2);
        for (unsigned i = 0; i < 2; i++)
                assert_int_equal(rep.segment_ports[i].segment, 0);
        /* never a VM of the lab's: no attribution, no guard */
        uid_t uid;
        char user[64];
        strcpy(world.port_of_mac, tap);
        assert_int_equal(lab_owner_of_mac((const uint8_t[6]) { 0x52, 0x54, 0, 0, 0, 1 }, &uid, user, &lab), -ENOENT);

        /* deleted only when nothing is attached, and only by its owner */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan2", NULL, NULL), VMNET_ERR_SEGMENT_IN_USE);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_DEL, "lan3", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan9", NULL, NULL), VMNET_ERR_REFUSED);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "Lan9", NULL, NULL), VMNET_ERR_BAD_REQUEST);
        assert_non_null(link_named("stu1=lan3"));
        kernel_deletes(tap);  /* the VM exits */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan2", NULL, NULL), VMNET_ERR_SEGMENT_IN_USE);
        kernel_deletes(port); /* the namespace goes */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan2", NULL, NULL), VMNET_OK);
        assert_null(link_named(bridge_of("stu1", "lan2")));
        assert_null(link_named("stu1=lan2"));
        link_registry_foreach(r, &lab.links)
                assert_int_not_equal(r->segment, bridge1);
        assert_non_null(link_named(bridge_of("stu2", "lan2")));
        /* its name is free again */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
}

/* The last logout takes the segments that are not kept, and what is on
 * them (the VMs on it are cut); a kept one stays, and its owner finds it
 * at the next login, in the state file meanwhile. */
static void test_segments_last_logout(void **state) {
        struct vmnet_reply rep;
        struct saved_state saved;
        int fd;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan3:keep", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "lan2", &rep, &fd), VMNET_OK);
        close(fd);
        char tap[IFNAMSIZ];
        strcpy(tap, rep.tap);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_non_null(link_named("stu1=lan2")); /* one session left */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        assert_null(link_named(bridge_of("stu1", "lan2")));
        assert_null(link_named("stu1=lan2"));
        assert_null(link_named(tap));
        assert_non_null(link_named(bridge_of("stu1", "lan3")));
        assert_non_null(link_named("stu1=lan3"));
        assert_int_equal(state_load(lab.state_path, &saved), 0);
        assert_int_equal(saved.links.n, 3); /* lan3: its bridge, its link's two ends */
        assert_true(link_registry_segment(&saved.links, UID_STU1, "lan3")->keep);
        saved_state_clear(&saved);

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_LIST, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_segments, 1);
        assert_string_equal(rep.segments[0].name, "lan3");
        /* a kept one goes when deleted, like any */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan3", NULL, NULL), VMNET_OK);
        assert_null(link_named("stu1=lan3"));

        /* a segment deleted at a logout a moment ago, still waiting for its
         * batch, is made anew at once */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        assert_true(lab_has_deletions(&lab));
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.tap, "stu1=lan2");
        flush();
        assert_non_null(link_named("stu1=lan2"));
}

/* A restart: segments not kept of students without a session go with
 * what is on them, kept ones are plugged in again (or go if they cannot
 * be); something on a segment that is no more goes; the kernel deleting a
 * segment's bridge takes what was on it. */
static void test_segments_restart(void **state) {
        struct vmnet_reply rep;
        int fd;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan3:keep", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "lan3", &rep, &fd), VMNET_OK);
        close(fd);
        /* as the next vmnetd sees it: stu1's sessions died meanwhile */
        struct student *st = students_find(&lab.students, "stu1");
        students_remove(&lab.students, st);
        lab_retire_stray_segments(&lab, true);
        lab_adopt_segments(&lab);
        flush();
        assert_null(link_named("stu1=lan2"));
        assert_non_null(link_named("stu1=lan3"));
        assert_non_null(link_named(rep.tap)); /* on a kept one, the VM stays */
        assert_non_null(link_named("stu2=lan2"));

        /* (adopting them sealed them, once) */
        assert_true(lab.segments_sealed);

        /* one that cannot be plugged in again goes, with its VM */
        world.unpluggable_segment = link_named(bridge_of("stu1", "lan3"))->ifindex;
        lab_adopt_segments(&lab);
        flush();
        assert_non_null(link_named("stu2=lan2"));
        assert_null(link_named("stu1=lan3"));
        assert_null(link_named(rep.tap));

        /* someone deletes stu2's bridge: its link goes too */
        assert_int_equal(ask(UID_STU2, VMNET_MSG_VM_TAP, "lan2", &rep, &fd), VMNET_OK);
        close(fd);
        kernel_deletes(bridge_of("stu2", "lan2"));
        flush();
        assert_null(link_named("stu2=lan2"));
        assert_null(link_named(rep.tap));
        assert_int_equal(link_registry_count(&lab.links, UID_STU2, LINK_KINDS_ON_SEGMENT), 0);
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_LIST, "", &rep, NULL), VMNET_OK);
        assert_int_equal(rep.n_segments, 0);

        /* a next vmnetd that cannot seal them keeps none (they would reach the host) */
        assert_int_equal(ask(UID_STU2, VMNET_MSG_SEGMENT_ADD, "lan3:keep", NULL, NULL), VMNET_OK);
        lab.segments_sealed = false;
        world.fail_seal = EIO;
        lab_adopt_segments(&lab);
        flush();
        assert_null(link_named("stu2=lan3"));
        assert_int_equal(link_registry_count(&lab.links, UID_STU2, LINK_KIND_BIT(LINK_SEGMENT)), 0);
}

/* Without the seal no segment is made (the first one makes it, and it is
 * recorded for --down); two (user, segment) pairs whose names meet never
 * share a bridge; a name the kernel has that vmnetd did not make is not
 * taken over. */
static void test_segment_names_taken(void **state) {
        struct link_record other = { .ifindex = 99, .kind = LINK_SEGMENT, .owner = 7, .label = "x" };
        (void)state;
        world.fail_seal = EIO;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan5", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(world.n_links, 1);
        assert_int_equal(lab.links.n, 0);
        assert_false(lab.segments_sealed);
        world.fail_seal = 0;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan5", NULL, NULL), VMNET_OK);
        assert_true(lab.segments_sealed);
        assert_int_equal(lab.made.n_tables, 3);
        assert_string_equal(lab.made.tables[0], "bridge vmnet_segments");
        assert_string_equal(lab.made.tables[1], "inet vmnet_segments");
        assert_string_equal(lab.made.tables[2], "arp vmnet_segments");
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_DEL, "lan5", NULL, NULL), VMNET_OK);

        strcpy(other.name, bridge_of("stu1", "lan2"));
        assert_int_equal(link_registry_add(&lab.links, &other), 0);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_null(link_named("stu1=lan2"));
        link_registry_remove(&lab.links, 99);
        add_link("stu1=lan2", "veth", 0);
        size_t links = world.n_links;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(world.n_links, links);
        assert_int_equal(lab.links.n, 0);
}

/* ---- the authorisation table (requests.c) ---- */

/* Every message type the protocol knows, from every kind of caller, against
 * what requests.c promises.  Each cell starts from the same lab: stu1
 * logged in, with the persistent tap tap-stu1+1, a VM behind it and the
 * segment lan2, and a lab view.  A type without a row here fails the test:
 * whoever adds one says who may send it.
 * (tests/integration/13-vmnetd-authorisation.sh walks it with real peers.) */
enum caller { ROOT, OWNER, OTHER, OUTSIDER, NO_PASSWD, SELF, N_CALLERS };
static const uid_t caller_uid[N_CALLERS] = { UID_ROOT, UID_STU1, UID_STU2, UID_OUTSIDER, UID_NOBODY, UID_SELF };
static const char *const caller_name[N_CALLERS] = {
        "root", "the owner (stu1)", "another student", "a user outside allow_groups", "a uid with no passwd entry",
        "vmnetd's own user",
};

#define OK      VMNET_OK
#define REFUSED VMNET_ERR_REFUSED
#define BAD     VMNET_ERR_BAD_REQUEST
struct promise {
        uint8_t type;
        const char *arg; /* the user, tap, bridge or namespace the request names */
        uint16_t status[N_CALLERS];
};

static const struct promise promises[] = {
        /* root only, for any user */
        { VMNET_MSG_OPEN,    "stu1",       { OK,      REFUSED, REFUSED, REFUSED, REFUSED, REFUSED } },
        { VMNET_MSG_CLOSE,   "stu1",       { OK,      REFUSED, REFUSED, REFUSED, REFUSED, REFUSED } },
        /* anyone with an account, about themselves (vmnetd's own user asks OWNER only) */
        { VMNET_MSG_STATUS,  "",           { OK,      OK,      OK,      OK,      REFUSED, REFUSED } },
        { VMNET_MSG_LAB_HEALTH, "",        { OK,      OK,      OK,      OK,      REFUSED, REFUSED } },
        /* users the lab admits, for themselves */
        { VMNET_MSG_TAP_ADD, "",           { OK,      OK,      OK,      REFUSED, REFUSED, REFUSED } },
        { VMNET_MSG_VM_TAP,  "vmnet0",     { OK,      OK,      OK,      REFUSED, REFUSED, REFUSED } },
        /* only the owner's own persistent tap, the owner's own namespace */
        { VMNET_MSG_TAP_DEL, "tap-stu1+1", { REFUSED, OK,      REFUSED, REFUSED, REFUSED, REFUSED } },
        { VMNET_MSG_NETNS_ATTACH, "ns-stu1", { REFUSED, OK,    REFUSED, REFUSED, REFUSED, REFUSED } },
        /* exam mode: root and teacher_groups (none here); without a guard
         * root hears that there is none */
        { VMNET_MSG_ISOLATION, "1",        { VMNET_ERR_NO_GUARD, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED } },
        /* private segments: users the lab admits, their own; deleted by its owner only */
        { VMNET_MSG_SEGMENT_ADD, "lan5",   { OK,      OK,      OK,      REFUSED, REFUSED, REFUSED } },
        { VMNET_MSG_SEGMENT_LIST, "",      { OK,      OK,      OK,      OK,      REFUSED, REFUSED } },
        { VMNET_MSG_SEGMENT_DEL, "lan2",   { REFUSED, OK,      REFUSED, REFUSED, REFUSED, REFUSED } },
        /* the whole lab: root and teacher_groups (none of the callers here);
         * anyone's own part, followed */
        { VMNET_MSG_LAB_VIEW, "all",       { OK,      REFUSED, REFUSED, REFUSED, REFUSED, REFUSED } },
        { VMNET_MSG_SUBSCRIBE, "mine",     { OK,      OK,      OK,      OK,      REFUSED, REFUSED } },
        /* vmnetd's own announcement, never a request */
        { VMNET_MSG_LAB_CHANGED, "",       { BAD,     BAD,     BAD,     BAD,     BAD,     BAD } },
        /* a copy of one's own port; root's (and teachers') of anyone's */
        { VMNET_MSG_CAPTURE, "tap-stu1",   { OK,      OK,      REFUSED, REFUSED, REFUSED, REFUSED } },
        /* whose VM a MAC is: the names program, nobody else */
        { VMNET_MSG_OWNER,   "",           { REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, OK } },
};

static const struct promise *promise_of(uint8_t type) {
        for (size_t i = 0; i < sizeof promises / sizeof promises[0]; i++)
                if (promises[i].type == type)
                        return &promises[i];
        return NULL;
}

static void the_same_lab(void) {
        teardown(NULL);
        setup(NULL);
        lab.config.max_taps = 8; /* who may, not how many */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_OK);
        assert_non_null(link_named("tap-stu1+1"));
        assert_int_equal(ask(UID_STU1, VMNET_MSG_SEGMENT_ADD, "lan2", NULL, NULL), VMNET_OK);
        strcpy(world.port_of_mac, "tap-stu1+1");
        fake_view();
}

static void test_authorisation_matrix(void **state) {
        unsigned cells = 0;
        (void)state;
        for (unsigned type = 0; type < VMNET_REPLY; type++) {
                if (!vmnet_msg_type_is_known((uint8_t)type))
                        continue;
                const struct promise *p = promise_of((uint8_t)type);
                if (!p)
                        fail_msg("message type %u (%s) has no row in promises[]: who may send it?", type,
                                 vmnet_msg_type_name((uint8_t)type));
                for (enum caller c = 0; c < N_CALLERS; c++) {
                        the_same_lab();
                        uint16_t got = ask(caller_uid[c], p->type, p->arg, NULL, NULL);
                        if (got != p->status[c])
                                fail_msg("%s '%s' from %s: %s, promised %s", vmnet_msg_type_name(p->type), p->arg,
                                         caller_name[c], vmnet_status_string(got), vmnet_status_string(p->status[c]));
                        /* what a refusal refused did not happen */
                        if (got != OK) {
                                assert_non_null(link_named("tap-stu1+1"));
                                assert_null(link_named("tap-stu1+2"));
                                assert_int_equal(netns_labelled("ns-stu1")->n_links, 0);
                                assert_null(students_find(&lab.students, "outsider"));
                        }
                        cells++;
                }
        }
        assert_true(cells >= 17 * N_CALLERS);
}
#undef OK
#undef REFUSED
#undef BAD

/* What only root hears, the refusals of each kind, and what is no message
 * at all. */
static void test_authorisation_details(void **state) {
        static const struct expectation {
                uid_t caller;
                uint8_t type;
                const char *arg;
                uint16_t status;
        } rows[] = {
                { UID_ROOT,     VMNET_MSG_OPEN,  "stu2",       VMNET_OK },
                { UID_ROOT,     VMNET_MSG_OPEN,  "outsider",   VMNET_ERR_NOT_ALLOWED },
                { UID_ROOT,     VMNET_MSG_OPEN,  "nosuchuser", VMNET_ERR_NO_USER },
                { UID_STU1,     VMNET_MSG_OPEN,  "nosuchuser", VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_VM_TAP, "othbr",     VMNET_ERR_REFUSED },
                /* NETNS_ATTACH: a namespace the kernel says is the caller's own;
                 * every other reason gets the same refusal */
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-stu2", VMNET_OK },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-root", VMNET_ERR_REFUSED },
                { UID_ROOT,     VMNET_MSG_NETNS_ATTACH, "ns-host", VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-host", VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "file",    VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-user", VMNET_ERR_REFUSED },
                { UID_ROOT,     VMNET_MSG_NETNS_ATTACH, "ns-root", VMNET_OK },
                /* ISOLATION: root and teachers only; without a guard there is no exam mode */
                { UID_ROOT,     VMNET_MSG_ISOLATION, "1", VMNET_ERR_NO_GUARD },
                { UID_ROOT,     VMNET_MSG_ISOLATION, "0", VMNET_ERR_NO_GUARD },
                { UID_ROOT,     VMNET_MSG_ISOLATION, "2", VMNET_ERR_BAD_REQUEST },
                { UID_TEACHER,  VMNET_MSG_ISOLATION, "1", VMNET_ERR_NO_GUARD },
                { UID_TEACHER,  VMNET_MSG_ISOLATION, "2", VMNET_ERR_BAD_REQUEST },
                { UID_STU1,     VMNET_MSG_ISOLATION, "1", VMNET_ERR_REFUSED },
                { UID_OUTSIDER, VMNET_MSG_ISOLATION, "0", VMNET_ERR_REFUSED },
                { UID_NOBODY,   VMNET_MSG_ISOLATION, "1", VMNET_ERR_REFUSED },
                /* SEGMENT_ADD, SEGMENT_LIST: users the lab admits, their own;
                 * SEGMENT_DEL and VM_TAP on a segment: only its owner */
                { UID_STU2,     VMNET_MSG_SEGMENT_ADD,  "lan5", VMNET_OK },
                { UID_ROOT,     VMNET_MSG_SEGMENT_ADD,  "lan5", VMNET_OK },
                { UID_OUTSIDER, VMNET_MSG_SEGMENT_ADD,  "lan5", VMNET_ERR_REFUSED },
                { UID_NOBODY,   VMNET_MSG_SEGMENT_ADD,  "lan5", VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_SEGMENT_LIST, "",     VMNET_OK },
                { UID_OUTSIDER, VMNET_MSG_SEGMENT_LIST, "",     VMNET_OK },
                { UID_NOBODY,   VMNET_MSG_SEGMENT_LIST, "",     VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_VM_TAP,       "lan2", VMNET_ERR_REFUSED },
                { UID_ROOT,     VMNET_MSG_VM_TAP,       "lan2", VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-stu2@lan2", VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_NETNS_ATTACH, "ns-stu2:eth1@lan5", VMNET_OK },
                { UID_STU2,     VMNET_MSG_SEGMENT_DEL,  "lan2", VMNET_ERR_REFUSED },
                { UID_ROOT,     VMNET_MSG_SEGMENT_DEL,  "lan2", VMNET_ERR_REFUSED },
                { UID_OUTSIDER, VMNET_MSG_SEGMENT_DEL,  "lan2", VMNET_ERR_REFUSED },
                { UID_NOBODY,   VMNET_MSG_SEGMENT_DEL,  "lan2", VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_VM_TAP,       "lan2", VMNET_OK },
                { UID_ROOT,     VMNET_MSG_SEGMENT_DEL,  "lan5", VMNET_OK },
                { UID_STU1,     VMNET_MSG_TAP_DEL, "tap-stu1",   VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_TAP_DEL, "tap-stu1+9", VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_TAP_DEL, "tap-stu1+1", VMNET_OK },
                /* the whole lab: root and teachers; anyone's own part; no such scope */
                { UID_ROOT,     VMNET_MSG_LAB_VIEW, "all",  VMNET_OK },
                { UID_TEACHER,  VMNET_MSG_LAB_VIEW, "all",  VMNET_OK },
                { UID_STU1,     VMNET_MSG_LAB_VIEW, "all",  VMNET_ERR_REFUSED },
                { UID_OUTSIDER, VMNET_MSG_LAB_VIEW, "all",  VMNET_ERR_REFUSED },
                { UID_NOBODY,   VMNET_MSG_LAB_VIEW, "all",  VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_LAB_VIEW, "mine", VMNET_OK },
                { UID_OUTSIDER, VMNET_MSG_LAB_VIEW, "mine", VMNET_OK },
                { UID_NOBODY,   VMNET_MSG_LAB_VIEW, "mine", VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_LAB_VIEW, "x",    VMNET_ERR_BAD_REQUEST },
                { UID_TEACHER,  VMNET_MSG_SUBSCRIBE, "all",  VMNET_OK },
                { UID_STU2,     VMNET_MSG_SUBSCRIBE, "all",  VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_SUBSCRIBE, "mine", VMNET_OK },
                /* vmnetd's own announcement is no request */
                { UID_ROOT,     VMNET_MSG_LAB_CHANGED, "", VMNET_ERR_BAD_REQUEST },
                /* CAPTURE: one's own link, tap or VM; teachers and root anyone's; the
                 * same refusal for another's and for what does not exist */
                { UID_STU1,     VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_OK },
                { UID_STU2,     VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_ERR_REFUSED },
                { UID_STU2,     VMNET_MSG_CAPTURE, "vmnp-x",            VMNET_ERR_REFUSED },
                { UID_OUTSIDER, VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_ERR_REFUSED },
                { UID_NOBODY,   VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_CAPTURE, "tap-nosuch",        VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_CAPTURE, "vmnet0",            VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_CAPTURE, "srv",               VMNET_ERR_REFUSED },
                { UID_STU1,     VMNET_MSG_CAPTURE, "52:55:00:00:00:02", VMNET_ERR_REFUSED },
                { UID_TEACHER,  VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_OK },
                { UID_ROOT,     VMNET_MSG_CAPTURE, "tap-stu1",          VMNET_OK },
                { UID_STU2,     VMNET_MSG_CAPTURE, "srv",               VMNET_OK },
                { UID_STU2,     VMNET_MSG_CAPTURE, "srv.stu2",          VMNET_OK },
                { UID_TEACHER,  VMNET_MSG_CAPTURE, "52:55:00:00:00:02", VMNET_OK },
                /* the owner closing: root's CLOSE */
                { UID_ROOT,     VMNET_MSG_CLOSE, "stu1", VMNET_OK },
                /* not a message type at all */
                { UID_ROOT,     0,  "", VMNET_ERR_BAD_REQUEST },
                { UID_STU1,     99, "", VMNET_ERR_BAD_REQUEST },
        };
        (void)state;
        the_same_lab();
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                uint16_t got = ask(rows[i].caller, rows[i].type, rows[i].arg, NULL, NULL);
                if (got != rows[i].status)
                        fail_msg("row %zu: uid %u, type %u, '%s': status %u, expected %u", i,
                                 (unsigned)rows[i].caller, rows[i].type, rows[i].arg, got, rows[i].status);
        }
        /* nothing a refusal refused happened */
        assert_null(link_named("tap-stu1+1"));
        assert_int_equal(netns_labelled("ns-stu1")->n_links, 0);
        assert_int_equal(netns_labelled("ns-stu2")->n_links, 2);
        assert_int_equal(netns_labelled("ns-root")->n_links, 1);
        assert_int_equal(netns_labelled("ns-host")->n_links, 0);
        assert_int_equal(world.n_captures, 6); /* the six OK rows of CAPTURE */
        assert_null(students_find(&lab.students, "outsider"));
}

/* A capture ends when its tap goes, and when its port goes (its tap is
 * deleted then); a student's captures and a port's are limited. */
static void test_captures_end(void **state) {
        struct vmnet_reply rep;
        (void)state;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.tap, "tap-stu1+1");

        assert_int_equal(ask(UID_STU1, VMNET_MSG_CAPTURE, "tap-stu1", &rep, NULL), VMNET_OK);
        assert_string_equal(rep.user, "stu1");
        assert_string_equal(rep.link, "tap-stu1");
        assert_memory_equal(rep.port, "vmnp", 4); /* the login link's bridge end */
        char tap[IFNAMSIZ];
        strcpy(tap, rep.tap);
        assert_int_equal(world.mirrors, 1);
        assert_false(lab_captures_sweep(&lab));
        /* its holder closed it: the tap is gone */
        struct kernel_link gone = { .ifindex = link_named(tap)->ifindex };
        strcpy(gone.name, tap);
        remove_link(gone.ifindex);
        lab_link_event(&lab, &gone, true);
        assert_true(lab_captures_sweep(&lab));
        assert_int_equal(world.mirrors, 0);
        assert_int_equal(lab.captures.n, 0);

        /* the port goes: the capture tap is deleted */
        assert_int_equal(ask(UID_STU1, VMNET_MSG_CAPTURE, "tap-stu1+1", &rep, NULL), VMNET_OK);
        strcpy(tap, rep.tap);
        struct kernel_link port = { .ifindex = link_named("tap-stu1+1")->ifindex, .name = "tap-stu1+1" };
        remove_link(port.ifindex);
        lab_link_event(&lab, &port, true);
        assert_true(lab_captures_sweep(&lab));
        assert_null(link_named(tap));
        assert_null(link_registry_by_name(&lab.links, tap, 0));

        /* at most CAPTURES_PER_USER at once, then the limit; others may still */
        for (int i = 0; i < CAPTURES_PER_USER; i++)
                assert_int_equal(ask(UID_STU1, VMNET_MSG_CAPTURE, "tap-stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_CAPTURE, "tap-stu1", NULL, NULL), VMNET_ERR_LIMIT);
        assert_int_equal(ask(UID_TEACHER, VMNET_MSG_CAPTURE, "tap-stu1", NULL, NULL), VMNET_OK);
        lab_captures_stop(&lab);
        assert_int_equal(world.mirrors, 0);
        assert_null(link_registry_by_name(&lab.links, "vmcap0", 0));
}

static void test_status_of_errno(void **state) {
        (void)state;
        assert_int_equal(request_status_of(0, false), VMNET_OK);
        assert_int_equal(request_status_of(-EPERM, false), VMNET_ERR_REFUSED);
        assert_int_equal(request_status_of(-EDQUOT, false), VMNET_ERR_QUOTA);
        assert_int_equal(request_status_of(-EBUSY, false), VMNET_ERR_BUSY);
        assert_int_equal(request_status_of(-ENOTUNIQ, false), VMNET_ERR_NAME_TAKEN);
        assert_int_equal(request_status_of(-ENOSPC, false), VMNET_ERR_SEGMENT_QUOTA);
        assert_int_equal(request_status_of(-EALREADY, false), VMNET_ERR_SEGMENT_EXISTS);
        assert_int_equal(request_status_of(-ENOTEMPTY, false), VMNET_ERR_SEGMENT_IN_USE);
        /* a kernel's "exists" is never told as the student's segment */
        assert_int_equal(request_status_of(-EEXIST, false), VMNET_ERR_INTERNAL);
        assert_int_equal(request_status_of(-ESRCH, true), VMNET_ERR_NO_USER);
        assert_int_equal(request_status_of(-ESRCH, false), VMNET_ERR_REFUSED);
        assert_int_equal(request_status_of(-EACCES, true), VMNET_ERR_NOT_ALLOWED);
        assert_int_equal(request_status_of(-EACCES, false), VMNET_ERR_REFUSED);
        assert_int_equal(request_status_of(-EIO, true), VMNET_ERR_INTERNAL);
        assert_int_equal(request_status_of(-ENOMEM, false), VMNET_ERR_INTERNAL);
}

/* What the lab saves is what the next vmnetd takes back. */
static void test_state_follows(void **state) {
        struct saved_state saved;
        int fd;
        (void)state;

        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "vmnet0", NULL, &fd), VMNET_OK);
        close(fd);
        assert_int_equal(state_load(lab.state_path, &saved), 0);
        assert_int_equal(saved.students.n, 1);
        assert_int_equal(saved.links.n, 3);
        assert_non_null(link_registry_by_name(&saved.links, "tap-stu1+1", LINK_KIND_BIT(LINK_VM_TAP)));
        saved_state_clear(&saved);
        struct kernel_link gone;
        as_kernel_link(link_named("tap-stu1+1"), &gone);
        lab_link_event(&lab, &gone, true);
        assert_int_equal(state_load(lab.state_path, &saved), 0);
        assert_int_equal(saved.links.n, 2);
        saved_state_clear(&saved);
}

static int by_text(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of state text in sorted order, one line each: what a
 * state says whatever order the table or the journal put them in. */
static char *sorted_records(char *text) {
        char *lines[256], *save = NULL, *out;
        size_t n = 0, size = 1;

        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                assert_true(n < 256);
                lines[n++] = l;
                size += strlen(l) + 1;
        }
        qsort(lines, n, sizeof lines[0], by_text);
        out = calloc(1, size);
        assert_non_null(out);
        for (size_t i = 0; i < n; i++) {
                strcat(out, lines[i]);
                strcat(out, "\n");
        }
        return out;
}

/* run_dir/state read back says what the lab has. */
static void assert_state_is_lab(void) {
        struct saved_state saved;
        char *mine, *read;

        assert_int_equal(state_load(lab.state_path, &saved), 0);
        assert_int_equal(saved.n_bad_lines, 0);
        assert_true(state_format(&lab.students, &lab.links, &lab.made, &mine) > 0);
        assert_true(state_format(&saved.students, &saved.links, &saved.made, &read) > 0);
        char *a = sorted_records(mine), *b = sorted_records(read);
        assert_string_equal(b, a);
        free(a), free(b), free(mine), free(read);
        saved_state_clear(&saved);
}

static ino_t state_inode(off_t *ret_size) {
        struct stat st;
        assert_int_equal(stat(lab.state_path, &st), 0);
        if (ret_size)
                *ret_size = st.st_size;
        return st.st_ino;
}

/* Logins and logouts append to run_dir/state, which is written whole again
 * only once the appended records outnumber it: a login costs the same
 * with one student or a thousand. */
static void test_state_journal(void **state) {
        (void)state;
        int fd;

        lab_save_state(&lab); /* as lab_start() ends */
        ino_t whole = state_inode(NULL);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        uint64_t stu2 = world.last_watch_id;
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_ADD, "", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_VM_TAP, "vmnet0", NULL, &fd), VMNET_OK);
        close(fd);
        assert_state_is_lab();
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_STU1, VMNET_MSG_TAP_DEL, "tap-stu1+1", NULL, NULL), VMNET_OK);
        lab_session_died(&lab, stu2);
        flush();
        assert_state_is_lab();
        struct kernel_link gone;
        as_kernel_link(link_named("tap-stu1+2"), &gone);
        lab_link_event(&lab, &gone, true);
        as_kernel_link(link_named("tap-stu1"), &gone);
        strcpy(gone.name, "tap-stu1-new");
        lab_link_event(&lab, &gone, false);
        assert_state_is_lab();
        assert_int_equal(state_inode(NULL), whole);

        /* a class comes and goes many times: the file stays bounded */
        off_t size, largest = 0;
        bool rewritten = false;
        for (int i = 0; i < 300; i++) {
                assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
                assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu2", NULL, NULL), VMNET_OK);
                flush();
                rewritten |= state_inode(&size) != whole;
                largest = size > largest ? size : largest;
        }
        assert_true(rewritten);
        assert_true(largest < 64 * 1024);
        assert_state_is_lab();
}

/* What the kernel has, as lab_pool_apply() sees it: the bridge ends on the bridge. */
static void world_view(struct kernel_view *k) {
        static struct kernel_link v[512];
        for (size_t i = 0; i < world.n_links; i++) {
                as_kernel_link(&world.links[i], &v[i]);
                if (strncmp(v[i].name, "vmnp", 4) == 0)
                        v[i].master = lab.bridge_ifindex;
        }
        *k = (struct kernel_view) { .v = v, .n = world.n_links };
}

static void fill_pool(void) {
        for (int i = 0; lab_pool_wants(&lab); i++) {
                assert_true(i < 100);
                lab_pool_fill_one(&lab);
        }
}

/* login_pool: links made ahead, each handed to one student only, renamed;
 * none left or the pool empty, a login makes its own; the pool follows
 * login_pool and forgets what a crash left half handed out. */
static void test_login_pool(void **state) {
        struct kernel_view k;
        (void)state;

        lab_save_state(&lab);
        lab.config.login_pool = 2;
        fill_pool();
        assert_int_equal(world.n_links, 5); /* the bridge, two pairs */
        assert_int_equal(link_registry_count(&lab.links, 0, LINK_KIND_BIT(LINK_POOL)), 2);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        assert_int_equal(world.n_links, 5); /* both from the pool: nothing new made */
        struct link_record *l1 = link_registry_by_name(&lab.links, "tap-stu1", LINK_KIND_BIT(LINK_LOGIN));
        struct link_record *l2 = link_registry_by_name(&lab.links, "tap-stu2", LINK_KIND_BIT(LINK_LOGIN));
        assert_non_null(l1);
        assert_non_null(l2);
        assert_int_not_equal(l1->ifindex, l2->ifindex);
        assert_int_equal(l1->owner, UID_STU1);
        assert_int_equal(link_registry_by_ifindex(&lab.links, l1->peer_ifindex)->kind, LINK_LOGIN_PEER);
        assert_int_equal(link_registry_by_ifindex(&lab.links, l1->peer_ifindex)->owner, UID_STU1);
        assert_int_equal(link_registry_count(&lab.links, 0, LINK_KIND_BIT(LINK_POOL)), 0);
        /* the pool is empty: root's login makes its own link */
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "root", NULL, NULL), VMNET_OK);
        assert_int_equal(world.n_links, 7);
        assert_state_is_lab();

        /* a name someone else's link has: the pool's link stays in the pool */
        fill_pool();
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_CLOSE, "stu1", NULL, NULL), VMNET_OK);
        flush();
        add_link("tap-stu1", "veth", 0);
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_int_equal(link_registry_count(&lab.links, 0, LINK_KIND_BIT(LINK_POOL)), 2);
        assert_false(lab_has_deletions(&lab));

        /* a smaller login_pool trims it; a pool link whose other end a crash
         * left unrecorded (renamed, not yet written down) goes */
        lab.config.login_pool = 1;
        world_view(&k);
        lab_pool_apply(&lab, &k);
        flush();
        assert_int_equal(link_registry_count(&lab.links, 0, LINK_KIND_BIT(LINK_POOL)), 1);
        link_registry_foreach(rec, &lab.links)
                if (rec->kind == LINK_POOL) {
                        link_registry_remove(&lab.links, rec->ifindex);
                        break;
                }
        size_t before = world.n_links;
        world_view(&k);
        lab_pool_apply(&lab, &k);
        flush();
        assert_int_equal(world.n_links, before - 2);
        link_registry_foreach(rec, &lab.links)
                assert_true(rec->kind != LINK_POOL && rec->kind != LINK_POOL_PEER);
}

/* A pool link renamed for a login whose port then fails to open is deleted
 * at once: the new link made for the login gets the student's name, and
 * nothing of the failed one is left.  If it cannot be deleted either, the
 * login fails (never a link with someone's name that is not theirs). */
static void test_login_pool_port_fails(void **state) {
        (void)state;

        lab_save_state(&lab);
        lab.config.login_pool = 1;
        fill_pool();
        assert_int_equal(world.n_links, 3); /* the bridge, one pair */
        struct link_record *pool = NULL;
        link_registry_foreach(rec, &lab.links)
                if (rec->kind == LINK_POOL)
                        pool = rec;
        assert_non_null(pool);
        int pool_ifindex = pool->ifindex;
        world.fail_port_open = EIO;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu1", NULL, NULL), VMNET_OK);
        assert_null(link_at(pool_ifindex)); /* deleted, not left for later */
        assert_false(lab_has_deletions(&lab));
        struct link_record *l1 = link_registry_by_name(&lab.links, "tap-stu1", LINK_KIND_BIT(LINK_LOGIN));
        assert_non_null(l1);
        assert_int_not_equal(l1->ifindex, pool_ifindex);
        assert_int_equal(link_named("tap-stu1")->ifindex, l1->ifindex);
        assert_int_equal(world.n_links, 3); /* the bridge, stu1's new pair */
        assert_int_equal(link_registry_count(&lab.links, 0, LINK_KIND_BIT(LINK_POOL) | LINK_KIND_BIT(LINK_POOL_PEER)),
                         0);
        assert_state_is_lab();

        /* nor can it be deleted: stu2's login fails, the link goes later */
        fill_pool();
        world.fail_links_delete = true;
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_ERR_INTERNAL);
        assert_null(link_registry_by_name(&lab.links, "tap-stu2", LINK_KIND_BIT(LINK_LOGIN)));
        assert_true(lab_has_deletions(&lab));
        world.fail_links_delete = false;
        world.fail_port_open = 0;
        flush();
        assert_null(link_named("tap-stu2"));
        assert_int_equal(ask(UID_ROOT, VMNET_MSG_OPEN, "stu2", NULL, NULL), VMNET_OK);
        assert_non_null(link_registry_by_name(&lab.links, "tap-stu2", LINK_KIND_BIT(LINK_LOGIN)));
        assert_state_is_lab();
}

/* login_pool's pace: a link is made ahead once requests paused (quiet_at),
 * then link by link while they stay paused; while they keep coming, at
 * most one a second; none once the pool is full. */
static void test_pool_pace(void **state) {
        (void)state;
        long long now = now_ms();

        assert_true(lab_pool_fill_at(&lab, now + 20) == -1); /* no pool */
        lab.config.login_pool = 2;
        assert_true(lab_pool_fill_at(&lab, now + 20) <= now); /* none made for a second: now */
        lab_pool_fill_one(&lab);
        long long made = lab.pool_filled_ms;
        assert_true(made >= now);
        /* paused: the next at once; requests coming: a second after the last */
        assert_true(lab_pool_fill_at(&lab, made - 5) == made - 5);
        assert_true(lab_pool_fill_at(&lab, made + 5000) == made + 1000);
        lab_pool_fill_one(&lab);
        assert_false(lab_pool_wants(&lab));
        assert_true(lab_pool_fill_at(&lab, made - 5) == -1); /* full */
}

/* A mass logout's deletions: batches of 64 between requests, of 256
 * while none can be waiting. */
static void test_deletion_batches(void **state) {
        (void)state;
        for (int i = 0; i < 300; i++) {
                char name[IFNAMSIZ];
                snprintf(name, sizeof name, "tap-x%d", i);
                struct link_record rec = { .ifindex = add_link(name, "tun", UID_STU1)->ifindex, .kind = LINK_TAP,
                                           .owner = UID_STU1, .dying = true };
                strcpy(rec.name, name);
                assert_int_equal(link_registry_add(&lab.links, &rec), 0);
        }
        lab_flush_deletions(&lab);
        assert_int_equal(world.last_deleted, 64);
        lab_flush_deletions_unhurried(&lab);
        assert_int_equal(world.last_deleted, 236);
        assert_false(lab_has_deletions(&lab));
        assert_int_equal(world.n_links, 1);
        assert_int_equal(lab.links.n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sessions_counted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_session_died, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_failure_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_login_link_name_taken, setup, teardown),
                cmocka_unit_test_setup_teardown(test_taps_and_quota, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tap_given_away, setup, teardown),
                cmocka_unit_test_setup_teardown(test_netns_attach, setup, teardown),
                cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_segments_last_logout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_segments_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_segment_names_taken, setup, teardown),
                cmocka_unit_test_setup_teardown(test_authorisation_matrix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_captures_end, setup, teardown),
                cmocka_unit_test_setup_teardown(test_authorisation_details, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status_of_errno, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_follows, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_journal, setup, teardown),
                cmocka_unit_test_setup_teardown(test_login_pool, setup, teardown),
                cmocka_unit_test_setup_teardown(test_login_pool_port_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_pace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deletion_batches, setup, teardown),
        };
        return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
