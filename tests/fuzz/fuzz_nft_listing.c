// fuzz-sources: helper/nft_listing.c
/* libFuzzer target for reading nftables listings back (nft_listing.h).
 * Input: listing text.  Checks: every object's kind and name are
 * NUL-terminated inside their fields; each element handed on is a string
 * within NFT_LISTING_ELEMENT_MAX, and no object has fewer elements than
 * were handed on for it; a drop counter parsed from any element has a
 * kind that fits a byte (what vmnetd indexes by). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft_listing.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
        size_t handed;
};

static int on_element(const struct nft_object *in, const char *element, void *userdata) {
        struct tally *t = userdata;
        struct nft_drop_count d;

        CHECK(strnlen(in->name, sizeof in->name) < sizeof in->name);
        CHECK(strlen(element) <= NFT_LISTING_ELEMENT_MAX);
        if (nft_drop_count_parse(element, &d) == 0)
                CHECK(d.kind <= UINT8_MAX);
        t->handed++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct nft_object *o = NULL;
        struct tally t = {};
        size_t n = 0, elements = 0;

        if (nft_listing_parse((const char *)data, size, &o, &n, on_element, &t) < 0)
                return 0;
        CHECK((n == 0) == (o == NULL));
        for (size_t i = 0; i < n; i++) {
                CHECK(strnlen(o[i].kind, sizeof o[i].kind) < sizeof o[i].kind);
                CHECK(strnlen(o[i].name, sizeof o[i].name) < sizeof o[i].name);
                elements += o[i].n_elements;
        }
        CHECK(elements >= t.handed);
        free(o);
        return 0;
}
