/* The lease file read and replaced (see lease_store.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "files.h"
#include "lease_file.h"
#include "lease_store.h"
#include "names_files.h"
#include "names_say.h"
#include "strbuf.h"

/* A /16's 65,536 leases fit even at the longest line, ~870 bytes (a
 * client id of 255 bytes); a lab's line is ~70. */
#define LEASE_FILE_MAX (64u << 20)

/* The file's text into *ret (malloc'ed; "" when there is none). */
static int read_leases(const char *path, char **ret, size_t *ret_size) {
        int r = read_file_whole(path, LEASE_FILE_MAX, ret, ret_size);
        if (r == -ENOENT) {
                *ret = strdup("");
                *ret_size = 0;
                return *ret ? 0 : -ENOMEM;
        }
        return r < 0 ? names_say(r, "cannot read", path) : 0;
}

int lease_store_record(const char *run_dir, const struct lease_event *ev, int64_t now) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        struct strbuf out = {};
        size_t size;
        int r;

        snprintf(path, sizeof path, "%s/" NAMES_LEASE_FILE, run_dir);
        r = read_leases(path, &text, &size);
        if (r >= 0)
                r = lease_file_apply(text, size, ev, now, &out);
        if (r == 0) { /* (1: the file holds the lease as it is) */
                r = write_file_atomic_if_changed(path, strbuf_str(&out), out.len, 0644);
                if (r < 0)
                        names_say(r, "cannot write", path);
        }
        strbuf_free(&out);
        return r < 0 ? r : 0;
}

int lease_store_print(const char *run_dir, int fd) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t size;

        snprintf(path, sizeof path, "%s/" NAMES_LEASE_FILE, run_dir);
        if (read_leases(path, &text, &size) < 0) {
                fprintf(stderr, "vmnet-names: dnsmasq starts without the leases it had\n");
                return 0;
        }
        return size ? write_all(fd, text, size) : 0;
}
