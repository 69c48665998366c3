/* See vmware_networking.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmware_networking.h"

/* VMware numbers its networks vmnet0 to vmnet255 on Linux. */
#define VMWARE_VNET_MAX 255
#define FILE_MAX (64 * 1024)

/* The next blank-separated word of [*p, end), or an empty one at the end. */
static size_t next_word(const char **p, const char *end, const char **ret) {
        while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
                (*p)++;
        *ret = *p;
        while (*p < end && **p != ' ' && **p != '\t' && **p != '\r')
                (*p)++;
        return (size_t)(*p - *ret);
}

static int word_is(const char *w, size_t n, const char *s) {
        return n == strlen(s) && memcmp(w, s, n) == 0;
}

/* A vnet number: decimal digits, no sign, at most VMWARE_VNET_MAX. */
static int vnet_number(const char *w, size_t n) {
        int v = 0;
        if (n == 0 || n > 3)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (w[i] < '0' || w[i] > '9')
                        return -1;
                v = v * 10 + (w[i] - '0');
        }
        return v <= VMWARE_VNET_MAX ? v : -1;
}

int vmware_bridged_vnet(const char *text, size_t size, const char *iface) {
        const char *p = text, *end = text + size;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t)(end - p)), *w[4];
                size_t n[4];
                if (!eol)
                        eol = end;
                for (int i = 0; i < 4; i++)
                        n[i] = next_word(&p, eol, &w[i]);
                p = eol + (eol < end);
                if (n[3] == 0 && word_is(w[0], n[0], "add_bridge_mapping") && word_is(w[1], n[1], iface)) {
                        int v = vnet_number(w[2], n[2]);
                        if (v >= 0)
                                return v;
                }
        }
        return -ENOENT;
}

int vmware_bridged_vnet_file(const char *path, const char *iface) {
        char *text = malloc(FILE_MAX);
        ssize_t n, size = 0;
        int fd, r;

        if (!text)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                free(text);
                return r;
        }
        while (size < FILE_MAX && (n = read(fd, text + size, (size_t)(FILE_MAX - size))) > 0)
                size += n;
        r = n < 0 ? -errno : vmware_bridged_vnet(text, (size_t)size, iface);
        close(fd);
        free(text);
        return r;
}
