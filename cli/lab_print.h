/* The lab view for people and programs: the teachers' text listing
 * (vmnet status --all, vmnet top) and the JSON of vmnet status --all
 * --json, whose field names are documented in vmnet(1) and stay. */
#pragma once
#include <stdint.h>
#include <stdio.h>

#include "json_writer.h"
#include "lab_view.h"

#define LAB_VM_FQDN_MAX (DNS_LABEL_MAX + 1 + DNS_USER_LABEL_MAX + 1 + VMNET_DOMAIN_MAX + 1)

/* NAME.USER.DOMAIN, USER the label of the owner's name ("" for a nameless VM). */
void lab_vm_fqdn(const struct lab_view *v, const struct lab_view_vm *m, char *ret, size_t size);

void lab_print_text(FILE *f, const struct lab_view *v, int64_t now);
void lab_print_json(struct json_writer *w, const struct lab_view *v);
/* One VM as a JSON object (also in vmnet status --json). */
void lab_json_vm(struct json_writer *w, const struct lab_view *v, const struct lab_view_vm *m);
