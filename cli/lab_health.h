/* vmnet status's word on whether the lab's services work: vmnetd's
 * LAB_HEALTH answer, and what a student can do about a problem. */
#pragma once
#include <stdbool.h>

#include "json_writer.h"
#include "protocol.h"

/* LAB_HEALTH from vmnetd into *ret; false (quietly) when there is no
 * answer, e.g. from a vmnetd older than the message. */
bool cli_lab_health(struct vmnet_lab_health *ret);

/* Nothing when all is well; else a line "lab       NOT WORKING: ..." per
 * problem and what to do. */
void lab_health_print_text(const struct vmnet_lab_health *h);

/* The member key of an object: the health as an object, or null for h
 * NULL (not known). */
void lab_health_json(struct json_writer *w, const char *key, const struct vmnet_lab_health *h);
