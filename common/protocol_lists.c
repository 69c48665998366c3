/* The list fields of vmnetd's replies (see protocol_lists.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "protocol_lists.h"

void protocol_put_taps(struct byte_writer *w, const struct vmnet_reply *rep) {
        if (rep->n_taps > VMNET_TAPS_MAX) {
                w->error = w->error ? w->error : -EINVAL;
                return;
        }
        bw_u16(w, rep->n_taps);
        for (unsigned i = 0; i < rep->n_taps; i++) {
                bw_str(w, rep->taps[i].name, IFNAMSIZ - 1);
                bw_u8(w, rep->taps[i].kind);
                bw_u8(w, rep->taps[i].flags);
        }
}

void protocol_get_taps(struct byte_reader *r, struct vmnet_reply *rep) {
        rep->n_taps = br_u16(r);
        if (rep->n_taps > VMNET_TAPS_MAX)
                r->error = -EBADMSG;
        for (unsigned i = 0; !r->error && i < rep->n_taps; i++) {
                br_str(r, rep->taps[i].name, sizeof rep->taps[i].name);
                rep->taps[i].kind = br_u8(r);
                rep->taps[i].flags = br_u8(r);
        }
}

void protocol_put_drops(struct byte_writer *w, const struct vmnet_reply *rep) {
        if (rep->n_drops > VMNET_DROPS_MAX) {
                w->error = w->error ? w->error : -EINVAL;
                return;
        }
        bw_u16(w, rep->n_drops);
        for (unsigned i = 0; i < rep->n_drops; i++) {
                bw_put(w, rep->drops[i].mac, 6);
                bw_u8(w, rep->drops[i].kind);
                bw_u32(w, rep->drops[i].frames);
        }
}

void protocol_get_drops(struct byte_reader *r, struct vmnet_reply *rep) {
        rep->n_drops = br_u16(r);
        if (rep->n_drops > VMNET_DROPS_MAX)
                r->error = -EBADMSG;
        for (unsigned i = 0; !r->error && i < rep->n_drops; i++) {
                const uint8_t *mac = br_get(r, 6);
                if (mac)
                        memcpy(rep->drops[i].mac, mac, 6);
                rep->drops[i].kind = br_u8(r);
                rep->drops[i].frames = br_u32(r);
        }
}

void protocol_put_segments(struct byte_writer *w, const struct vmnet_reply *rep) {
        if (rep->n_segments > VMNET_SEGMENTS_MAX || rep->n_segment_ports > VMNET_TAPS_MAX) {
                w->error = w->error ? w->error : -EINVAL;
                return;
        }
        bw_u8(w, rep->n_segments);
        for (unsigned i = 0; i < rep->n_segments; i++) {
                const struct vmnet_segment_info *s = &rep->segments[i];
                bw_str(w, s->name, IFNAMSIZ - 1);
                bw_str(w, s->bridge, IFNAMSIZ - 1);
                bw_str(w, s->link, IFNAMSIZ - 1);
                bw_u8(w, s->flags);
        }
        bw_u16(w, rep->n_segment_ports);
        for (unsigned i = 0; i < rep->n_segment_ports; i++) {
                const struct vmnet_segment_port *p = &rep->segment_ports[i];
                if (p->segment >= rep->n_segments)
                        w->error = w->error ? w->error : -EINVAL;
                bw_str(w, p->name, IFNAMSIZ - 1);
                bw_u8(w, p->segment);
                bw_u8(w, p->kind);
                bw_u8(w, p->flags);
        }
}

void protocol_get_segments(struct byte_reader *r, struct vmnet_reply *rep) {
        rep->n_segments = br_u8(r);
        if (rep->n_segments > VMNET_SEGMENTS_MAX)
                r->error = -EBADMSG;
        for (unsigned i = 0; !r->error && i < rep->n_segments; i++) {
                struct vmnet_segment_info *s = &rep->segments[i];
                br_str(r, s->name, sizeof s->name);
                br_str(r, s->bridge, sizeof s->bridge);
                br_str(r, s->link, sizeof s->link);
                s->flags = br_u8(r);
        }
        rep->n_segment_ports = br_u16(r);
        if (rep->n_segment_ports > VMNET_TAPS_MAX)
                r->error = -EBADMSG;
        for (unsigned i = 0; !r->error && i < rep->n_segment_ports; i++) {
                struct vmnet_segment_port *p = &rep->segment_ports[i];
                br_str(r, p->name, sizeof p->name);
                p->segment = br_u8(r);
                p->kind = br_u8(r);
                p->flags = br_u8(r);
                if (p->segment >= rep->n_segments)
                        r->error = -EBADMSG;
        }
}
