/* Reading nftables listings back (see nft_listing.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "mac_address.h"
#include "nft_listing.h"

enum token { TOK_END, TOK_WORD, TOK_OPEN, TOK_CLOSE, TOK_COMMA, TOK_BAD };

struct lexer {
        const char *p, *end;
        const char *word;      /* TOK_WORD: its text (a quoted string without the quotes) */
        size_t word_len;
};

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static enum token next(struct lexer *l) {
        for (;;) {
                while (l->p < l->end && is_space(*l->p))
                        l->p++;
                if (l->p < l->end && *l->p == '#') {
                        while (l->p < l->end && *l->p != '\n')
                                l->p++;
                        continue;
                }
                break;
        }
        if (l->p >= l->end)
                return TOK_END;
        char c = *l->p;
        if (c == '{' || c == '}' || c == ',') {
                l->p++;
                return c == '{' ? TOK_OPEN : c == '}' ? TOK_CLOSE : TOK_COMMA;
        }
        if (c == '"') {
                const char *q = memchr(l->p + 1, '"', (size_t)(l->end - l->p - 1));
                if (!q)
                        return TOK_BAD;
                l->word = l->p + 1;
                l->word_len = (size_t)(q - l->word);
                l->p = q + 1;
                return TOK_WORD;
        }
        if (c == '\0')
                return TOK_BAD;
        l->word = l->p;
        while (l->p < l->end && !is_space(*l->p) && !strchr("{},\"#", *l->p) && *l->p != '\0')
                l->p++;
        l->word_len = (size_t)(l->p - l->word);
        return TOK_WORD;
}

static bool word_is(const struct lexer *l, const char *s) {
        return l->word_len == strlen(s) && memcmp(l->word, s, l->word_len) == 0;
}

/* Copies the word into out (size bytes); false if it does not fit. */
static bool copy_word(const struct lexer *l, char *out, size_t size) {
        if (l->word_len >= size || memchr(l->word, '\0', l->word_len))
                return false;
        memcpy(out, l->word, l->word_len);
        out[l->word_len] = '\0';
        return true;
}

struct element {
        char text[NFT_LISTING_ELEMENT_MAX + 1];
        size_t len;
        bool too_long;
};

static void element_add(struct element *e, const char *s, size_t n) {
        if (e->too_long)
                return;
        if (e->len + (e->len ? 1 : 0) + n > NFT_LISTING_ELEMENT_MAX) {
                e->too_long = true;
                return;
        }
        if (e->len)
                e->text[e->len++] = ' ';
        memcpy(e->text + e->len, s, n);
        e->len += n;
        e->text[e->len] = '\0';
}

/* The element is complete: hand it on (unless empty or too long). */
static int element_end(struct element *e, struct nft_object *o, nft_element_fn fn, void *userdata) {
        int r = 0;
        if (e->len > 0 || e->too_long) {
                o->n_elements++;
                if (fn && !e->too_long)
                        r = fn(o, e->text, userdata);
        }
        *e = (struct element) {};
        return r;
}

/* After `elements = {`: up to its closing brace. */
static int parse_elements(struct lexer *l, struct nft_object *o, nft_element_fn fn, void *userdata) {
        struct element e = {};
        unsigned depth = 0;
        int r;

        for (;;) {
                switch (next(l)) {
                case TOK_WORD:
                        if (memchr(l->word, '\0', l->word_len))
                                return -EBADMSG;
                        element_add(&e, l->word, l->word_len);
                        break;
                case TOK_OPEN:
                        depth++;
                        element_add(&e, "{", 1);
                        break;
                case TOK_CLOSE:
                        if (depth == 0)
                                return element_end(&e, o, fn, userdata);
                        depth--;
                        element_add(&e, "}", 1);
                        break;
                case TOK_COMMA:
                        if (depth > 0) {
                                element_add(&e, ",", 1);
                                break;
                        }
                        r = element_end(&e, o, fn, userdata);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return -EBADMSG;
                }
        }
}

/* After `KIND NAME {`: up to its closing brace. */
static int parse_object(struct lexer *l, struct nft_object *o, nft_element_fn fn, void *userdata) {
        bool has_elements = strcmp(o->kind, "set") == 0 || strcmp(o->kind, "map") == 0;
        unsigned depth = 1;
        int r;

        for (;;) {
                switch (next(l)) {
                case TOK_OPEN:
                        depth++;
                        break;
                case TOK_CLOSE:
                        if (--depth == 0)
                                return 0;
                        break;
                case TOK_COMMA:
                        break;
                case TOK_WORD:
                        if (has_elements && depth == 1 && word_is(l, "size")) {
                                char number[24];
                                if (next(l) != TOK_WORD)
                                        return -EBADMSG;
                                if (copy_word(l, number, sizeof number))
                                        o->size = strtoul(number, NULL, 10);
                                break;
                        }
                        if (!has_elements || depth != 1 || !word_is(l, "elements"))
                                break;
                        if (next(l) != TOK_WORD || !word_is(l, "=") || next(l) != TOK_OPEN)
                                return -EBADMSG;
                        r = parse_elements(l, o, fn, userdata);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return -EBADMSG;
                }
        }
}

int nft_listing_parse(const char *text, size_t len, struct nft_object **ret_objects, size_t *ret_n,
                      nft_element_fn on_element, void *userdata) {
        struct lexer l = { .p = text, .end = text + len };
        struct nft_object *objects = NULL;
        size_t n = 0, cap = 0, tables = 0;
        enum token t;
        int r = 0;

        while (r == 0 && (t = next(&l)) != TOK_END) {
                /* table FAMILY NAME { */
                char family[sizeof objects->family] = "", table[sizeof objects->table] = "";
                bool table_kept;
                if (t != TOK_WORD || !word_is(&l, "table") || next(&l) != TOK_WORD) {
                        r = -EBADMSG;
                        break;
                }
                table_kept = copy_word(&l, family, sizeof family);
                if (next(&l) != TOK_WORD) {
                        r = -EBADMSG;
                        break;
                }
                table_kept = copy_word(&l, table, sizeof table) && table_kept;
                if (next(&l) != TOK_OPEN) {
                        r = -EBADMSG;
                        break;
                }
                tables++;
                while (r == 0 && (t = next(&l)) != TOK_CLOSE) {
                        struct nft_object o = {};
                        bool kept = table_kept;
                        /* KIND NAME { */
                        if (t != TOK_WORD) {
                                r = -EBADMSG;
                                break;
                        }
                        kept = copy_word(&l, o.kind, sizeof o.kind) && kept;
                        if (next(&l) != TOK_WORD) {
                                r = -EBADMSG;
                                break;
                        }
                        kept = copy_word(&l, o.name, sizeof o.name) && kept;
                        if (next(&l) != TOK_OPEN) {
                                r = -EBADMSG;
                                break;
                        }
                        memcpy(o.family, family, sizeof o.family);
                        memcpy(o.table, table, sizeof o.table);
                        r = parse_object(&l, &o, kept ? on_element : NULL, userdata);
                        if (r < 0 || !kept)
                                continue;
                        if (ARRAY_RESERVE(objects, cap, n + 1) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        objects[n++] = o;
                }
        }
        if (r == 0 && tables == 0)
                r = -EBADMSG;
        if (r < 0) {
                free(objects);
                return r;
        }
        *ret_objects = objects;
        *ret_n = n;
        return 0;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *ret) {
        char *end;
        if (!((s[0] >= '0' && s[0] <= '9')))
                return false;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno || *end || v > max)
                return false;
        *ret = v;
        return true;
}

int nft_drop_count_parse(const char *element, struct nft_drop_count *ret) {
        char mark[24], mac[24], kind[24], word[24], number[24];
        uint8_t m[6];
        uint64_t uid, k, packets = 0;
        int pos = 0, n;
        bool counted = false;

        if (sscanf(element, "%23s . %23s . %23s%n", mark, mac, kind, &pos) != 3 ||
            mac_address_parse(mac, strlen(mac), m) < 0 || !parse_u64(mark, UINT32_MAX, &uid) ||
            !parse_u64(kind, UINT8_MAX, &k))
                return -EBADMSG;
        /* then words; "packets N" is the count */
        for (const char *p = element + pos; sscanf(p, "%23s%n", word, &n) == 1; p += n) {
                if (strcmp(word, "packets") != 0)
                        continue;
                p += n;
                if (sscanf(p, "%23s%n", number, &n) != 1 || !parse_u64(number, UINT64_MAX, &packets))
                        return -EBADMSG;
                counted = true;
        }
        if (!counted)
                return -EBADMSG;
        *ret = (struct nft_drop_count) { .uid = (uint32_t)uid, .kind = (uint8_t)k, .packets = packets };
        memcpy(ret->mac, m, 6);
        return 0;
}
