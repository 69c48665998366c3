/* What `nft list table|set ...` prints, read back: the objects of a table
 * (sets, maps, chains...) and the elements of its sets and maps, as
 * vmnetd needs them to find its own leftovers and read its drop counters.
 * A pure parser of text: nftables' own output, but read as untrusted
 * (fuzzed), so any input gives a bounded, well-formed result or an error.
 *
 * The text is tokens: words, "quoted strings", '{', '}' and ','; '#' starts
 * a comment to the end of the line.  A table is `table FAMILY NAME { ... }`,
 * an object in it `KIND NAME { ... }`; in a set or map, `elements = { E, E }`
 * lists its elements, each handed on as its tokens joined by one space
 * ("0x0000ee49 . 52:54:00:00:00:02 . 0x00000006 counter packets 2 bytes 56"). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define NFT_LISTING_NAME_MAX 63      /* longer object names are passed over */
#define NFT_LISTING_ELEMENT_MAX 511  /* an element's text; longer ones are passed over */

struct nft_object {
        char family[16], table[NFT_LISTING_NAME_MAX + 1]; /* the table it is in */
        char kind[16];                       /* "set", "map", "chain", ... */
        char name[NFT_LISTING_NAME_MAX + 1];
        size_t n_elements;
        unsigned long size;                  /* a set's `size N`; 0 when it says none */
};

/* Called for each element of a set or map, in order: 0 to go on, < 0 to
 * stop the parse with that error. */
typedef int (*nft_element_fn)(const struct nft_object *in, const char *element, void *userdata);

/* Parses text (len bytes, need not be NUL-terminated).  *ret_objects
 * (malloc'ed, free() it; NULL when none) gets every object of every table
 * listed (a table whose family or name does not fit is passed over, as an
 * object whose kind or name does not), *ret_n their count.  on_element may be NULL.  Returns 0,
 * -EBADMSG when the text is not such a listing (unbalanced braces, no
 * table), -ENOMEM, or what on_element returned. */
int nft_listing_parse(const char *text, size_t len, struct nft_object **ret_objects, size_t *ret_n,
                      nft_element_fn on_element, void *userdata);

/* One element of the guard's `drops` set: MARK . MAC . KIND counter packets N ... */
struct nft_drop_count {
        uint32_t uid;
        uint8_t mac[6];
        uint8_t kind;
        uint64_t packets;
};

/* Parses one such element; -EBADMSG if it is not one. */
int nft_drop_count_parse(const char *element, struct nft_drop_count *ret);
