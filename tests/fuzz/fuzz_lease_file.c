// fuzz-sources: names/lease_file.c
/* libFuzzer target for the names program's lease file: the input is a
 * lease file as any writer may have left it (dnsmasq cut short, an older
 * format, anything), its first byte choosing the event (add, old or del of
 * 10.77.0.1 or 10.77.0.10).  After lease_file_apply(): the text is whole
 * lines; every line is one of the input's or the event's own; the event's
 * own line is there once (add, old) or not at all (del), even when the
 * input had it; and applying the event again changes nothing.  When
 * lease_file_apply() says the text stays as it is (1), all of that holds
 * of the input itself. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lease_file.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many lines of text are line; aborts on a last line without '\n'. */
static size_t lines_equal(const char *text, size_t len, const char *line) {
        size_t n = 0, line_len = strlen(line);
        for (const char *p = text, *end = text + len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                CHECK(nl); /* whole lines only */
                if ((size_t)(nl - p) == line_len && memcmp(p, line, line_len) == 0)
                        n++;
                p = nl + 1;
        }
        return n;
}

static int is_line_of(const char *text, size_t len, const char *line, size_t line_len) {
        for (const char *p = text, *end = text + len; p + line_len <= end; p++) {
                p = memmem(p, (size_t)(end - p), line, line_len);
                if (!p)
                        return 0;
                if ((p == text || p[-1] == '\n') && p + line_len < end && p[line_len] == '\n')
                        return 1;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        struct lease_event ev = { .action = (enum lease_action)(data[0] % 3), .mac = { 0x52, 0x54, 0, 0, 0, 1 },
                                  .expiry = NOW + 60 };
        const char *addr = data[0] & 4 ? "10.77.0.10" : "10.77.0.1";
        const char *own_line = data[0] & 4 ? "1700000060 52:54:00:00:00:01 10.77.0.10 vm1 01:02"
                                           : "1700000060 52:54:00:00:00:01 10.77.0.1 vm1 01:02";
        inet_pton(AF_INET, addr, &ev.addr);
        strcpy(ev.lease_name, "vm1");
        strcpy(ev.client_id, "01:02");

        const char *text = (const char *)data + 1;
        size_t len = size - 1;
        struct strbuf once = {}, twice = {};
        int r = lease_file_apply(text, len, &ev, NOW, &once);
        CHECK(r == 0 || (r == 1 && once.len == 0 && ev.action != LEASE_DEL));
        /* 1: the text stays as it is */
        const char *out = r == 1 ? text : strbuf_str(&once);
        size_t out_len = r == 1 ? len : once.len;
        size_t own = lines_equal(out, out_len, own_line);
        for (const char *p = out, *end = out + out_len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = (size_t)(nl - p);
                CHECK((n == strlen(own_line) && memcmp(p, own_line, n) == 0) || is_line_of(text, len, p, n));
                p = nl + 1;
        }
        CHECK(own == (ev.action == LEASE_DEL ? 0 : 1));
        r = lease_file_apply(out, out_len, &ev, NOW, &twice);
        CHECK(r == 1 || (r == 0 && twice.len == out_len && memcmp(strbuf_str(&twice), out, out_len) == 0));
        strbuf_free(&once);
        strbuf_free(&twice);
        return 0;
}
