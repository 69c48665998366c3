// fuzz-sources:
/* libFuzzer target for the lab view's blob and the page drawn from it:
 * any bytes either fail to decode or decode to a view that encodes back
 * to the same bytes (one spelling per view); the page of a decoded view
 * renders, holds no byte a name smuggled in unescaped, and a student's
 * copy of it encodes too. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab_html.h"
#include "lab_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct lab_view v, mine;
        struct strbuf page = {};
        uint8_t *again;
        size_t again_size;

        if (lab_view_decode(data, size, &v) < 0)
                return 0;
        if (lab_view_encode(&v, &again, &again_size) < 0 || again_size != size || memcmp(again, data, size) != 0)
                abort();
        free(again);
        if (lab_html_render(&v, &page) < 0)
                abort();
        for (size_t i = 0; i < page.len; i++) {
                unsigned char c = (unsigned char)page.data[i];
                if ((c < 0x20 && c != '\n') || c > 0x7e)
                        abort();
        }
        if (strstr(page.data, "<script") || strstr(page.data, "<img"))
                abort();
        strbuf_free(&page);
        if (v.n_students > 0 && lab_view_filter_owner(&v, v.students[0].uid, &mine) == 0) {
                if (lab_view_encode(&mine, &again, &again_size) < 0)
                        abort();
                free(again);
                lab_view_clear(&mine);
        }
        lab_view_clear(&v);
        return 0;
}
