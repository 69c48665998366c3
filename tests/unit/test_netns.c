/* The kernel facts an attach is authorised by (helper/netns.c) and the
 * veth made right inside a namespace (helper/veth.c), against the real
 * kernel and without privileges: children in user and network namespaces
 * of their own stand for a student's namespace and for vmnetd's world.
 * Skipped where this machine gives no unprivileged namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bridge.h"
#include "netns.h"
#include "veth.h"

/* A child in namespaces of its own (flags), stopped until
 * namespace_child_end(); its pid, or -1 when the kernel would not. */
struct namespace_child {
        pid_t pid;
        int hold; /* the child exits when this closes */
};

static struct namespace_child namespace_child_start(int flags) {
        struct namespace_child c = { .pid = -1, .hold = -1 };
        int ready[2], hold[2];
        char ok = 0;

        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char b = unshare(flags) == 0 ? 'y' : 'n';
                if (write(ready[1], &b, 1) != 1)
                        _exit(1);
                close(hold[1]);
                while (read(hold[0], &b, 1) > 0) {}
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        if (read(ready[0], &ok, 1) != 1 || ok != 'y') {
                close(hold[1]);
                waitpid(pid, NULL, 0);
        } else {
                c.pid = pid;
                c.hold = hold[1];
        }
        close(ready[0]);
        return c;
}

static void namespace_child_end(struct namespace_child *c) {
        if (c->pid < 0)
                return;
        close(c->hold);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
}

static int open_ns(pid_t pid, const char *type) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, type);
        return open(path, O_RDONLY | O_CLOEXEC);
}

/* A namespace made in a user namespace of the caller's is the caller's. */
static void test_owner_of_users_namespace(void **state) {
        (void)state;
        struct namespace_child c = namespace_child_start(CLONE_NEWUSER | CLONE_NEWNET);
        if (c.pid < 0)
                skip();
        int net = open_ns(c.pid, "net"), user = open_ns(c.pid, "user");
        uid_t owner = (uid_t)-1;
        assert_true(net >= 0 && user >= 0);
        assert_int_equal(netns_owner(net, &owner), 0);
        assert_int_equal(owner, geteuid());
        /* a namespace, but a user one */
        owner = 4242;
        assert_int_equal(netns_owner(user, &owner), -EINVAL);
        assert_int_equal(owner, 4242);
        close(net);
        close(user);
        namespace_child_end(&c);
}

/* vmnetd's own namespace (owned by its own user namespace), and whatever
 * is no namespace at all, is nobody's to attach. */
static void test_refused(void **state) {
        (void)state;
        uid_t owner = 4242;
        int fds[2];

        int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(own >= 0);
        assert_int_equal(netns_owner(own, &owner), -EPERM);
        close(own);
        int file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        assert_int_equal(netns_owner(file, &owner), -ENOTTY);
        close(file);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        assert_int_equal(netns_owner(null, &owner), -ENOTTY);
        close(null);
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(netns_owner(fds[0], &owner), -ENOTTY);
        close(fds[0]);
        close(fds[1]);
        assert_int_equal(netns_owner(-1, &owner), -EBADF);
        assert_int_equal(owner, 4242);
        assert_string_equal(netns_refusal_reason(-ENOTTY), "is not a namespace");
}

/* In a child that is vmnetd in a world of its own: a veth whose end is
 * born, up and named, in another namespace (a grandchild's), the bridge
 * end here; a namespace this world's root made is refused as the host's
 * would be.  Exit code: 0, or the step that failed. */
static int veth_into_namespace(void) {
        struct nl_sock *sk;
        struct kernel_link port, inside;
        unsigned number = 0;
        uid_t owner;

        if (netlink_open(&sk) < 0)
                return 10;
        struct namespace_child gc = namespace_child_start(CLONE_NEWNET);
        if (gc.pid < 0)
                return 11;
        int ns = open_ns(gc.pid, "net");
        if (ns < 0)
                return 12;
        if (netns_owner(ns, &owner) != -EPERM)
                return 13;
        const struct veth_request req = {
                .name = "eth7", .netns_fd = ns, .mtu = 1400, .port_prefix = "vmnc", .next_number = &number,
        };
        if (veth_pair_add(sk, &req, &port) < 0)
                return 14;
        if (strcmp(port.name, "vmnc0") != 0 || strcmp(port.kind, "veth") != 0 || port.master != 0)
                return 15;
        if (link_get(sk, 0, "eth7", NULL) != -ENODEV)
                return 16; /* made here, not there */
        /* the name is taken in there now: the same request says so */
        if (veth_pair_add(sk, &req, &port) != -EEXIST || link_get(sk, 0, "vmnc1", NULL) != -ENODEV)
                return 17;
        /* look inside (only the test enters it; vmnetd never does) */
        struct nl_sock *there;
        if (setns(ns, CLONE_NEWNET) < 0 || netlink_open(&there) < 0)
                return 18;
        if (link_get(there, 0, "eth7", &inside) < 0 || !(inside.flags & IFF_UP))
                return 19;
        netlink_close(there);
        netlink_close(sk);
        close(ns);
        namespace_child_end(&gc);
        return 0;
}

static void test_veth_into_namespace(void **state) {
        (void)state;
        struct namespace_child probe = namespace_child_start(CLONE_NEWUSER | CLONE_NEWNET);
        if (probe.pid < 0)
                skip();
        namespace_child_end(&probe);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 ? 9 : veth_into_namespace());
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_owner_of_users_namespace),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_veth_into_namespace),
        };
        return cmocka_run_group_tests_name("netns", tests, NULL, NULL);
}
