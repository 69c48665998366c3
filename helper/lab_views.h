/* The lab view vmnetd keeps (common/lab_view.h): drawn anew from the
 * registry, the students and what the kernel and dnsmasq say when the lab
 * may have changed; when it did, it becomes the next generation, its blob
 * is what LAB_VIEW hands out in chunks, /run/vmnet/lab.html is rewritten
 * (0640, group the first of teacher_groups) and subscribers are told.
 * What the view says of each VM is vm_sightings.c's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab_view.h"
#include "protocol.h"
#include "vm_sightings.h"

struct lab;

struct lab_views {
        struct lab_view current;   /* empty before the first refresh */
        uint8_t *blob;             /* current, encoded */
        size_t blob_size;
        uint64_t generation;       /* of current; 0 before the first */
        struct vm_memory memory;   /* since when each MAC is seen */
        bool dirty;                /* something changed since the last drawing (the daemon
                                    * says so): a reader starting on the view draws it first */
        bool unannounced;          /* a new generation the subscribers have not heard of */
};

/* Draws the lab; returns true when it changed (a new generation: the
 * page is rewritten, unannounced is set for the subscribers). */
bool lab_views_refresh(struct lab *lab);

/* LAB_VIEW for uid: a chunk of the whole lab's blob (all, for root and
 * teachers) or of the caller's part; the first chunk of a read draws a
 * dirty view first, so that a reader sees what just changed (a lease the
 * hosts snapshot has already).  -ESTALE when req names a generation
 * that is no longer the current one, -EBADMSG for an offset past the end. */
int lab_views_read(struct lab *lab, uid_t uid, bool all, const struct vmnet_request *req, struct vmnet_reply *rep);

void lab_views_clear(struct lab_views *v);
