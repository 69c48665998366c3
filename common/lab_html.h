/* The teachers' page of the lab: one self-contained HTML document (inline
 * SVG picture, a table of students and links, a table of VMs; no script,
 * no fetch of anything), reloading itself every LAB_HTML_REFRESH_SECONDS.
 *
 * A pure function of the view: vmnetd writes it to /run/vmnet/lab.html and
 * `vmnet status --all --html` prints it from the same view, byte for byte.
 * Every string from the view is written escaped: user names, VM names
 * and interface names are chosen by students and guests.  Bytes outside
 * printable ASCII come out as U+FFFD. */
#pragma once
#include "lab_view.h"
#include "strbuf.h"

#define LAB_HTML_REFRESH_SECONDS 2

/* Appends the page to out; returns 0 or out's error (-ENOMEM). */
int lab_html_render(const struct lab_view *v, struct strbuf *out);
