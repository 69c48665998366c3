/* The version of vmnet every program reports with --version: one string,
 * the upstream part of debian/changelog's first entry (the Makefile passes
 * it to version.c alone). */
#pragma once

extern const char vmnet_version[];
