/* vmnet segment add|del|list, and what status and hint show of the
 * caller's private segments (SEGMENT_LIST). */
#pragma once
#include "call.h"
#include "json_writer.h"

/* SEGMENT_LIST from vmnetd, errors reported as by cli_call(). */
int cli_segments(struct vmnet_reply *ret);
/* The same, saying nothing: false when there is no answer (for status,
 * which has said what matters already). */
bool cli_segments_quietly(struct vmnet_reply *ret);
/* The caller's segment called name in a SEGMENT_LIST reply, or NULL. */
const struct vmnet_segment_info *cli_segment_named(const struct vmnet_reply *list, const char *name);
/* The segments, as lines of vmnet status. */
void cli_segments_print(const struct vmnet_reply *list);
/* The segments as a JSON array, the member key of the object being
 * written (NULL: the value itself). */
void cli_segments_json(struct json_writer *w, const char *key, const struct vmnet_reply *list);
/* The fields every JSON listing of a segment starts with (this one's,
 * status --all's): name, bridge, link, keep. */
void cli_segment_json_fields(struct json_writer *w, const char *name, const char *bridge, const char *link, bool keep);

/* vmnet segment ARGS (argv[0] is "segment"). */
int cmd_segment(int argc, char **argv);
