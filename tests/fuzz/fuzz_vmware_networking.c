// fuzz-sources: cli/vmware_networking.c
/* libFuzzer target for the /etc/vmware/networking reader.  Input: an
 * interface name up to the first NUL, then the file's text.  Checks: the
 * answer is -ENOENT or a VMware network number 0..255, and a number is only
 * taken from a text that names the interface and the mapping keyword. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmware_networking.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nul = memchr(data, '\0', size);
        char iface[32];
        size_t n;

        if (!nul || (size_t)(nul - data) >= sizeof iface || nul == data)
                return 0;
        n = (size_t)(nul - data);
        memcpy(iface, data, n);
        iface[n] = '\0';
        if (strpbrk(iface, " \t\r\n"))
                return 0;
        const char *text = (const char *)nul + 1;
        size_t text_size = size - n - 1;
        int v = vmware_bridged_vnet(text, text_size, iface);
        CHECK(v == -ENOENT || (v >= 0 && v <= 255));
        if (v >= 0) {
                /* only a line naming the interface maps it */
                CHECK(memmem(text, text_size, iface, strlen(iface)));
                CHECK(memmem(text, text_size, "add_bridge_mapping", 18));
        }
        return 0;
}
