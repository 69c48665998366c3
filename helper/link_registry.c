/* The records of the links vmnetd made (see link_registry.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "link_registry.h"
#include "protocol.h"

static const struct link_kind_info kinds[_LINK_KIND_COUNT] = {
        [LINK_LOGIN]      = { "login",      "veth", VMNET_TAP_LOGIN },
        [LINK_LOGIN_PEER] = { "login-peer", "veth", 0 },
        [LINK_TAP]        = { "tap",        "tun",  VMNET_TAP_PERSISTENT },
        [LINK_VM_TAP]     = { "vm-tap",     "tun",  VMNET_TAP_VM },
        [LINK_NETNS]      = { "netns",      "veth", VMNET_TAP_NETNS },
        [LINK_LAB_BRIDGE] = { "lab-bridge", "bridge", 0 },
        [LINK_POOL]       = { "pool",       "veth", 0 },
        [LINK_POOL_PEER]  = { "pool-peer",  "veth", 0 },
        [LINK_SEGMENT]       = { "segment",       "bridge", 0 },
        [LINK_SEGMENT_LINK]  = { "segment-link",  "veth",   0 },
        [LINK_SEGMENT_PEER]  = { "segment-peer",  "veth",   0 },
        [LINK_SEGMENT_TAP]   = { "segment-tap",   "tun",    VMNET_TAP_VM },
        [LINK_SEGMENT_NETNS] = { "segment-netns", "veth",   VMNET_TAP_NETNS },
        [LINK_CAPTURE]    = { "capture",    "tun",  0 },
};

const struct link_kind_info *link_kind_info(enum link_kind kind) {
        if (kind <= 0 || kind >= _LINK_KIND_COUNT || !kinds[kind].word)
                return NULL;
        return &kinds[kind];
}

enum link_kind link_kind_from_word(const char *word) {
        for (int k = 1; k < _LINK_KIND_COUNT; k++)
                if (kinds[k].word && strcmp(kinds[k].word, word) == 0)
                        return (enum link_kind)k;
        return 0;
}

/* The index (see struct link_registry): linear probing from a slot
 * Fibonacci hashing picks; a removal shifts back what probed past it, so
 * no slot is ever a tombstone. */
static size_t slot_of(const struct link_registry *reg, int ifindex) {
        /* the product's top bits: n_slots is a power of two from 16 to 2^31 */
        return (size_t)(((uint32_t)ifindex * 2654435769u) >> (32 - __builtin_ctzl(reg->n_slots)));
}

/* The slot that holds ifindex, or the empty one where it would go. */
static size_t slot_find(const struct link_registry *reg, int ifindex) {
        size_t s = slot_of(reg, ifindex);
        while (reg->slots[s] && reg->v[reg->slots[s] - 1].ifindex != ifindex)
                s = (s + 1) & (reg->n_slots - 1);
        return s;
}

/* Room for n records: the slots grown (and refilled) to twice n or more. */
static int slots_reserve(struct link_registry *reg, size_t n) {
        if (n * 2 <= reg->n_slots)
                return 0;
        size_t want = reg->n_slots ? reg->n_slots : 16;
        while (want < n * 2)
                want *= 2;
        if (want > (size_t)1 << 31)
                return -ENOMEM;
        uint32_t *slots = calloc(want, sizeof *slots);
        if (!slots)
                return -ENOMEM;
        free(reg->slots);
        reg->slots = slots;
        reg->n_slots = want;
        for (size_t i = 0; i < reg->n; i++)
                reg->slots[slot_find(reg, reg->v[i].ifindex)] = (uint32_t)i + 1;
        return 0;
}

/* Empties slot s, then moves back each record after it that probed past s. */
static void slot_clear(struct link_registry *reg, size_t s) {
        size_t mask = reg->n_slots - 1, hole = s;

        reg->slots[hole] = 0;
        for (size_t j = (hole + 1) & mask; reg->slots[j]; j = (j + 1) & mask) {
                size_t home = slot_of(reg, reg->v[reg->slots[j] - 1].ifindex);
                /* it stays unless its home lies cyclically after the hole, up to j */
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                        reg->slots[hole] = reg->slots[j];
                        reg->slots[j] = 0;
                        hole = j;
                }
        }
}

struct link_record *link_registry_by_ifindex(const struct link_registry *reg, int ifindex) {
        if (ifindex <= 0 || reg->n == 0)
                return NULL;
        size_t s = slot_find(reg, ifindex);
        return reg->slots[s] ? &reg->v[reg->slots[s] - 1] : NULL;
}

struct link_record *link_registry_by_name(const struct link_registry *reg, const char *name, unsigned kinds_mask) {
        link_registry_foreach(rec, reg)
                if ((kinds_mask == 0 || (kinds_mask & LINK_KIND_BIT(rec->kind))) && strcmp(rec->name, name) == 0)
                        return rec;
        return NULL;
}

int link_registry_add(struct link_registry *reg, const struct link_record *rec) {
        if (rec->ifindex <= 0 || !rec->name[0] || strnlen(rec->name, IFNAMSIZ) >= IFNAMSIZ ||
            !link_kind_info(rec->kind))
                return -EINVAL;
        /* what is on a segment names it; nothing else does; a segment has a name */
        bool on_segment = LINK_KINDS_ON_SEGMENT & LINK_KIND_BIT(rec->kind);
        if (on_segment ? rec->segment <= 0 || rec->segment == rec->ifindex : rec->segment != 0)
                return -EINVAL;
        if ((rec->kind == LINK_SEGMENT) != (rec->label[0] != '\0') || strnlen(rec->label, IFNAMSIZ) >= IFNAMSIZ)
                return -EINVAL;
        if (link_registry_by_ifindex(reg, rec->ifindex))
                return -EEXIST;
        if (ARRAY_RESERVE(reg->v, reg->allocated, reg->n + 1) < 0 || slots_reserve(reg, reg->n + 1) < 0)
                return -ENOMEM;
        reg->slots[slot_find(reg, rec->ifindex)] = (uint32_t)reg->n + 1;
        reg->v[reg->n] = *rec;
        reg->v[reg->n].dying = false;
        reg->n_of_kind[rec->kind]++;
        reg->n_live_of_kind[rec->kind]++;
        if (reg->v[reg->n].created == 0)
                reg->v[reg->n].created = (int64_t)time(NULL);
        reg->n++;
        reg->changes++;
        if (rec->dying)
                link_registry_set_dying(reg, &reg->v[reg->n - 1], true);
        return 0;
}

bool link_registry_remove(struct link_registry *reg, int ifindex) {
        struct link_record *rec = link_registry_by_ifindex(reg, ifindex);

        if (!rec)
                return false;
        if (rec->dying)
                reg->n_dying--;
        else
                reg->n_live_of_kind[rec->kind]--;
        reg->n_of_kind[rec->kind]--;
        size_t at = (size_t)(rec - reg->v);
        slot_clear(reg, slot_find(reg, ifindex));
        if (at != --reg->n) {
                /* the last record takes its place, and its slot says so */
                *rec = reg->v[reg->n];
                reg->slots[slot_find(reg, rec->ifindex)] = (uint32_t)at + 1;
        }
        reg->changes++;
        return true;
}

void link_registry_clear(struct link_registry *reg) {
        uint64_t changes = reg->changes + 1;
        free(reg->v);
        free(reg->slots);
        *reg = (struct link_registry) { .changes = changes };
}

size_t link_registry_count(const struct link_registry *reg, uid_t owner, unsigned kinds_mask) {
        size_t n = 0;

        link_registry_foreach(rec, reg)
                n += rec->owner == owner && !rec->dying && (kinds_mask & LINK_KIND_BIT(rec->kind));
        return n;
}

size_t link_registry_count_kinds(const struct link_registry *reg, unsigned kinds_mask, bool with_dying) {
        size_t n = 0;

        for (int k = 1; k < _LINK_KIND_COUNT; k++)
                if (kinds_mask & LINK_KIND_BIT(k))
                        n += with_dying ? reg->n_of_kind[k] : reg->n_live_of_kind[k];
        return n;
}

struct link_record *link_registry_segment(const struct link_registry *reg, uid_t owner, const char *label) {
        link_registry_foreach(rec, reg)
                if (rec->kind == LINK_SEGMENT && rec->owner == owner && !rec->dying && strcmp(rec->label, label) == 0)
                        return rec;
        return NULL;
}

size_t link_registry_count_on(const struct link_registry *reg, int segment_ifindex, unsigned kinds_mask) {
        size_t n = 0;

        link_registry_foreach(rec, reg)
                n += rec->segment == segment_ifindex && !rec->dying && (kinds_mask & LINK_KIND_BIT(rec->kind));
        return n;
}

static void mark(struct link_registry *reg, struct link_record *rec, bool dying) {
        if (rec->dying == dying)
                return;
        rec->dying = dying;
        if (dying) {
                reg->n_dying++;
                reg->n_live_of_kind[rec->kind]--;
        } else {
                reg->n_dying--;
                reg->n_live_of_kind[rec->kind]++;
        }
}

void link_registry_set_dying(struct link_registry *reg, struct link_record *rec, bool dying) {
        struct link_record *peer = link_registry_by_ifindex(reg, rec->peer_ifindex);

        mark(reg, rec, dying);
        if (peer)
                mark(reg, peer, dying);
}

bool link_registry_renamed(struct link_registry *reg, int ifindex, const char *name) {
        struct link_record *rec = link_registry_by_ifindex(reg, ifindex);

        if (!rec || strcmp(rec->name, name) == 0 || strlen(name) >= IFNAMSIZ)
                return false;
        strcpy(rec->name, name);
        reg->changes++;
        return true;
}

bool link_registry_deleted(struct link_registry *reg, int ifindex) {
        struct link_record *rec = link_registry_by_ifindex(reg, ifindex);

        if (!rec)
                return false;
        /* a pair goes as one: the kernel deletes the other end along */
        int peer = rec->peer_ifindex;
        link_registry_remove(reg, ifindex);
        link_registry_remove(reg, peer);
        return true;
}
