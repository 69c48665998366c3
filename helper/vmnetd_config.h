/* vmnetd's configuration: vmnet.conf and its drop-ins (config.h), the two
 * paths tests move through the environment, and the checks of meaning
 * (config_check.h). */
#pragma once
#include <stdbool.h>

#include "config.h"

/* Reads the configuration at path into *ret.  VMNET_SOCKET and
 * VMNET_RUN_DIR in the environment, when set, replace the socket and
 * run_dir paths (tests only: the NSS module does not follow them, see
 * HACKING.md).  Returns 0, or a negative errno with *ret untouched when the
 * report has an error or the file cannot be read. */
int vmnetd_config_load(const char *path, struct vmnet_config *ret, struct config_report *report);

/* Logs every problem of the report (errors as errors, warnings as warnings). */
void config_report_log(const struct config_report *report);
