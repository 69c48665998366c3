/* The reply fields that are lists (STATUS's taps and drop counters,
 * SEGMENT_LIST's segments), for the message table in protocol.c: each a
 * count, then the elements.  Writers set w->error (-EINVAL) for a count
 * over its maximum or an index out of range; readers set r->error
 * (-EBADMSG) for either.  Internal to common/. */
#pragma once
#include "byte_buffer.h"
#include "protocol.h"

void protocol_put_taps(struct byte_writer *w, const struct vmnet_reply *rep);
void protocol_get_taps(struct byte_reader *r, struct vmnet_reply *rep);
void protocol_put_drops(struct byte_writer *w, const struct vmnet_reply *rep);
void protocol_get_drops(struct byte_reader *r, struct vmnet_reply *rep);
void protocol_put_segments(struct byte_writer *w, const struct vmnet_reply *rep);
void protocol_get_segments(struct byte_reader *r, struct vmnet_reply *rep);
