/* The exit statuses of vmnet and vmnet-bridge-helper (their man pages list them). */
#pragma once

enum {
        EXIT_OK          = 0,
        EXIT_ERROR       = 1, /* refused, or failed */
        EXIT_USAGE       = 2,
        EXIT_UNREACHABLE = 3, /* vmnetd not running or not answering */
};
