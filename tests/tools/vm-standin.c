/* A stand-in for a student's QEMU guest, for the system test: its VM runs
 * under TCG, so a real guest inside it would be TCG inside TCG (no lease in
 * five minutes, measured).  It takes its tap from the bridge helper exactly
 * as QEMU's "-netdev bridge" does (a socketpair, HELPER --use-vnet --fd=N
 * --br=BRIDGE, the tap fd back over SCM_RIGHTS), and plays the guest with a
 * network namespace of its own (a user namespace makes the student its
 * root): a tap "eth0" there, CMD run there (busybox udhcpc, say), and the
 * frames relayed between the two taps as QEMU relays them between its tap
 * and the guest's NIC.  Not installed.
 *
 *   vm-standin HELPER BRIDGE CMD [ARG...]
 *
 * Ends when CMD ends (with its status) or on SIGTERM (CMD goes too). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "vm-standin"

static void die(const char *what) {
        fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
        exit(1);
}

/* QEMU's net_bridge_run_helper: the helper gets one end of a stream
 * socketpair as --fd=N and sends the tap back on it. */
static int tap_from_helper(const char *helper, const char *bridge) {
        char fd_arg[32], br_arg[IFNAMSIZ + 8], byte;
        union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } control;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = &control, .msg_controllen = sizeof control };
        int sv[2], status, tap = -1;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                close(sv[0]);
                snprintf(fd_arg, sizeof fd_arg, "--fd=%d", sv[1]);
                snprintf(br_arg, sizeof br_arg, "--br=%s", bridge);
                execl(helper, helper, "--use-vnet", fd_arg, br_arg, (char *)NULL);
                fprintf(stderr, PROG ": %s: %s\n", helper, strerror(errno));
                _exit(127);
        }
        close(sv[1]);
        ssize_t n;
        do n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                memcpy(&tap, CMSG_DATA(c), sizeof tap);
        close(sv[0]);
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || tap < 0) {
                fprintf(stderr, PROG ": %s passed no tap (exit status %d)\n", helper,
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                exit(1);
        }
        return tap;
}

static void write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                die(path);
        close(fd);
}

/* A user and a network namespace, the caller their root. */
static void own_namespaces(void) {
        char map[64];
        uid_t uid = getuid();
        gid_t gid = getgid();

        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                die("unshare(CLONE_NEWUSER | CLONE_NEWNET)");
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
        write_file("/proc/self/gid_map", map);
}

/* The guest's NIC: tap "eth0" in our namespace, with the vnet header if
 * the VM tap has one (frames then pass through unchanged). */
static int guest_tap(int vm_tap) {
        struct ifreq ifr = { 0 };
        int hdr_size, fd;

        if (ioctl(vm_tap, TUNGETIFF, &ifr) < 0)
                die("TUNGETIFF");
        short vnet = ifr.ifr_flags & IFF_VNET_HDR;
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                die("/dev/net/tun");
        memset(&ifr, 0, sizeof ifr);
        strcpy(ifr.ifr_name, "eth0");
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI | vnet;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                die("TUNSETIFF eth0");
        if (vnet) {
                if (ioctl(vm_tap, TUNGETVNETHDRSZ, &hdr_size) < 0 ||
                    ioctl(fd, TUNSETVNETHDRSZ, &hdr_size) < 0)
                        die("vnet header size");
        }
        return fd;
}

/* One frame from one tap to the other; a frame the other cannot take now
 * is dropped, as a NIC would. */
static void relay(int from, int to) {
        char frame[65536 + 64];
        ssize_t n = read(from, frame, sizeof frame);
        if (n > 0)
                (void)!write(to, frame, (size_t)n);
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
                die("read");
}

int main(int argc, char **argv) {
        int vm_tap, eth0, status;
        pid_t child;

        if (argc < 4) {
                fprintf(stderr, "usage: " PROG " HELPER BRIDGE CMD [ARG...]\n");
                return 2;
        }
        vm_tap = tap_from_helper(argv[1], argv[2]);
        own_namespaces();
        eth0 = guest_tap(vm_tap);
        child = fork();
        if (child < 0)
                die("fork");
        if (child == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(vm_tap);
                close(eth0);
                execvp(argv[3], argv + 3);
                fprintf(stderr, PROG ": %s: %s\n", argv[3], strerror(errno));
                _exit(127);
        }
        fcntl(vm_tap, F_SETFL, O_NONBLOCK);
        fcntl(eth0, F_SETFL, O_NONBLOCK);
        for (;;) {
                struct pollfd p[2] = { { .fd = vm_tap, .events = POLLIN }, { .fd = eth0, .events = POLLIN } };
                if (waitpid(child, &status, WNOHANG) == child)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
                if (poll(p, 2, 500) < 0 && errno != EINTR)
                        die("poll");
                if (p[0].revents & POLLIN)
                        relay(vm_tap, eth0);
                if (p[1].revents & POLLIN)
                        relay(eth0, vm_tap);
                if ((p[0].revents | p[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
                        fprintf(stderr, PROG ": a tap went away\n");
                        kill(child, SIGKILL);
                        return 1;
                }
        }
}
