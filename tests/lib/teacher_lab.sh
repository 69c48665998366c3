# shellcheck shell=bash
# The lab of the tests of the teacher's view and of captures: students
# stu1 and stu2, the teacher teach1 (group teachers, the lab's
# teacher_groups), vmnetd running, QEMU guests ready to boot.  Source after
# world.sh and guest.sh, inside the world:
#
#   teacher_lab_start [VMNETD-ARG...]     # vmnetd's log in $W/vmnetd.log
#   as stu1 "$VMNET" status               # stdout, stderr in $W/out, $W/err; exit code in $RC

# shellcheck disable=SC2120 # vmnetd's arguments are optional
teacher_lab_start() {
        guest_lab_ready
        world_add_user stu1 61001
        world_add_user stu2 61002
        world_add_user teach1 61010 teachers
        world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=4 \
                teacher_groups=teachers > "$W/vmnet.conf"
        world_start_vmnetd "$W/vmnet.conf" "$@" 2> "$W/vmnetd.log"
}

# as USER CMD...: CMD as USER; stdout, stderr in $W/out, $W/err; exit code in $RC.
# shellcheck disable=SC2034 # RC is read by the tests that source this
as() {
        local user=$1; shift
        RC=0
        runuser -u "$user" -- "$@" > "$W/out" 2> "$W/err" || RC=$?
}
