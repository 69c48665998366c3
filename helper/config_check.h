/* What vmnetd --check-config checks beyond the file's syntax, the way
 * sshd -t and nginx -t do: that the groups, programs and interfaces the
 * configuration names exist.  Where a thing may well appear later (an
 * interface plugged in or made at boot, a directory that cannot be asked
 * right now) it is a warning, else an error, each at the FILE:LINE of the
 * key (see config.h's report). */
#pragma once
#include "config.h"

/* Adds to report what is wrong with c on this machine now. */
void config_check_meaning(const struct vmnet_config *c, struct config_report *report);
