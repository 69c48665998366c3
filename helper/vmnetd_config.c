/* vmnetd's configuration (see vmnetd_config.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vmnetd_config.h"

/* A path from the environment into field (size bytes), if the variable is set. */
static void path_from_environment(const char *variable, char *field, size_t size, struct config_report *report) {
        const char *value = getenv(variable);

        if (!value || !value[0])
                return;
        if (value[0] != '/' || strlen(value) >= size)
                config_report_add(report, CONFIG_ERROR, 0, 0, "%s: '%s' is not an absolute path of at most %zu bytes",
                                  variable, value, size - 1);
        else
                strcpy(field, value);
}

int vmnetd_config_load(const char *path, struct vmnet_config *ret, struct config_report *report) {
        struct vmnet_config c;
        int r = config_load_report(path, &c, report);

        if (r < 0)
                return r;
        path_from_environment("VMNET_SOCKET", c.socket_path, sizeof c.socket_path, report);
        path_from_environment("VMNET_RUN_DIR", c.run_dir, sizeof c.run_dir, report);
        if (report->error)
                return report->error;
        if (report->n_errors > 0)
                return -EINVAL;
        *ret = c;
        return 0;
}

void config_report_log(const struct config_report *report) {
        char line[1024];

        for (size_t i = 0; i < report->n_problems; i++) {
                config_problem_format(report, i, line, sizeof line);
                if (report->problems[i].severity == CONFIG_ERROR)
                        log_error("%s", line);
                else
                        log_warn("%s", line);
        }
}
