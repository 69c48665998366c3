// fuzz-sources: helper/vm_sightings.c
/* libFuzzer target for the /proc/net/arp parser the lab view reads: any
 * text gives entries of the asked device only, each with a unicast-or-not
 * MAC and an address that were spelled in the text, and never reads past
 * it (the input is not NUL-terminated). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm_sightings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct neighbour_sighting *v = NULL;
        size_t n = 0;
        char *text = malloc(size ? size : 1);

        if (!text)
                return 0;
        memcpy(text, data, size);
        if (neighbours_parse_proc_arp(text, size, "vmnet0", &v, &n) == 0) {
                /* every entry comes from a line of its own, of at least "a 0x1 0x2 m * vmnet0" */
                if (n > size / 16 + 1)
                        abort();
                free(v);
        }
        free(text);
        return 0;
}
