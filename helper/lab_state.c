/* run_dir/state kept in step with the lab (see lab.h): written whole now
 * and then, each change appended in between (state.h's journal), so a
 * login costs one short write whatever the number of students. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "lab.h"
#include "log.h"
#include "state.h"
#include "strbuf.h"

/* Records the journal may hold beyond those of the last whole write
 * before the file is written whole again: the file stays within about
 * twice its whole size, and each whole write is paid for by as many
 * appends as it had records. */
#define JOURNAL_SLACK 256

static size_t count_lines(const char *text, size_t len) {
        size_t n = 0;

        for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))); p++)
                n++;
        return n;
}

void lab_save_state(struct lab *lab) {
        char *text = NULL;
        int n = state_format(&lab->students, &lab->links, &lab->made, &text);
        int r = n < 0 ? n : write_file_atomic(lab->state_path, text, (size_t)n, 0600);

        if (r < 0)
                log_error_errno(r, "cannot write %s: %m", lab->state_path);
        else {
                lab->state_lines = count_lines(text, (size_t)n);
                lab->journal_lines = 0;
        }
        free(text);
}

void lab_save_change(struct lab *lab, struct strbuf *change) {
        size_t lines = change->error ? 0 : count_lines(strbuf_str(change), change->len);

        if (!change->error && change->len == 0)
                return;
        /* a failed append may leave part of a record: only a whole write
         * may follow it */
        if (change->error || lab->journal_lines + lines > lab->state_lines + JOURNAL_SLACK ||
            state_append(lab->state_path, change->data, change->len) < 0)
                lab_save_state(lab);
        else
                lab->journal_lines += lines;
        strbuf_free(change);
}

bool lab_forget_link(struct lab *lab, int ifindex, struct strbuf *change) {
        const struct link_record *rec = link_registry_by_ifindex(&lab->links, ifindex);

        if (!rec)
                return false;
        /* a pair goes as one: the kernel deletes the other end along */
        if (link_registry_by_ifindex(&lab->links, rec->peer_ifindex))
                state_put_link_gone(change, rec->peer_ifindex);
        state_put_link_gone(change, ifindex);
        return link_registry_deleted(&lab->links, ifindex);
}
