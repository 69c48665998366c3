/* The caller's uid, asked once when it cannot change (see caller_uid.h). */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caller_uid.h"

enum { UID_UNKNOWN, UID_FIXED, UID_CHANGEABLE };

/* Threads may race to fill them (each writes the same values): atomics. */
static int uid_state = UID_UNKNOWN;
static uid_t fixed_uid;

/* CAP_SETUID in the permitted set; true when the kernel will not say. */
static bool may_set_uid(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};
        if (syscall(SYS_capget, &h, d) < 0)
                return true;
        return (d[CAP_TO_INDEX(CAP_SETUID)].permitted & CAP_TO_MASK(CAP_SETUID)) != 0;
}

static int find_state(uid_t *ret_uid) {
        uid_t r, e, s;
        if (getresuid(&r, &e, &s) < 0 || r != e || r != s || may_set_uid())
                return UID_CHANGEABLE;
        *ret_uid = r;
        return UID_FIXED;
}

uid_t caller_uid(void) {
        int state = __atomic_load_n(&uid_state, __ATOMIC_ACQUIRE);
        if (state == UID_FIXED)
                return __atomic_load_n(&fixed_uid, __ATOMIC_RELAXED);
        if (state == UID_UNKNOWN) {
                uid_t uid;
                state = find_state(&uid);
                if (state == UID_FIXED) {
                        __atomic_store_n(&fixed_uid, uid, __ATOMIC_RELAXED);
                        __atomic_store_n(&uid_state, UID_FIXED, __ATOMIC_RELEASE);
                        return uid;
                }
                __atomic_store_n(&uid_state, UID_CHANGEABLE, __ATOMIC_RELEASE);
        }
        return getuid();
}

bool caller_uid_is_fixed(void) {
        return __atomic_load_n(&uid_state, __ATOMIC_ACQUIRE) == UID_FIXED;
}
