/* See version.h. */
#include "version.h"

#ifndef VMNET_VERSION
#error "VMNET_VERSION is not set: build with the Makefile, which reads debian/changelog"
#endif

const char vmnet_version[] = VMNET_VERSION;
