/* The vmnet command's subcommands that live in files of their own
 * (status.c, hint.c, admin.c, capture.c, top.c); they ask vmnetd through call.h, never vmnet.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "call.h"

#ifndef VMNET_BRIDGE_HELPER_PATH
#define VMNET_BRIDGE_HELPER_PATH "/usr/lib/vmnet/vmnet-bridge-helper"
#endif
#ifndef VMNET_LXC_HOOK_PATH
#define VMNET_LXC_HOOK_PATH "/usr/lib/vmnet/vmnet-lxc-hook"
#endif

int cmd_status(int argc, char **argv);
int cmd_hint(int argc, char **argv);
int cmd_admin(int argc, char **argv);
/* The hint's lines for the caller's segments (hint_segments.c); mac_prefix
 * is the caller's "52:55:UU:UU:UU:" of hint qemu. */
void hint_segments(const char *hypervisor, const char *mac_prefix);
int cmd_capture(int argc, char **argv);
/* vmnet top, status --watch: scope VMNET_SCOPE_ALL or _MINE. */
int cmd_watch(uint8_t scope);
