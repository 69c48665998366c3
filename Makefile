# vmnet — build, test and package.  Outputs go to $(BUILD).
# Sources are picked up by folder, so a new file needs no edit here:
#   common/*.c    -> $(BUILD)/libvmnet-common.a (wire protocol, names, snapshot)
#   helper/*.c    -> $(BUILD)/vmnetd            (helper/main.c holds main())
#   pam_vmnet/*.c -> $(BUILD)/pam_vmnet.so
#   nss_vmnet/*.c -> $(BUILD)/libnss_vmnet.so.2
#   cli/bridge_helper*.c + cli/call.c -> $(BUILD)/vmnet-bridge-helper,
#   cli/lxc_hook.c + cli/netns.c + cli/call.c -> $(BUILD)/vmnet-lxc-hook, other cli/*.c -> $(BUILD)/vmnet
#   names/*.c     -> $(BUILD)/vmnet-names       (dnsmasq's dhcp-script: the lab's names)
#   tests/unit/test_*.c  -> $(BUILD)/tests/test_* (cmocka)

BUILD    ?= build
CC       ?= cc
PKGS     := libnl-route-3.0 libnl-3.0 libsystemd libnftables libcap-ng
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Flags are in three layers: ours (always), then the caller's CPPFLAGS,
# CFLAGS and LDFLAGS (dpkg-buildflags, a developer's -O0), which come last
# and so win.  -Werror is for developers and CI (WERROR=1, the default); a
# distributor's newer compiler must not fail the build on a new warning:
# debian/rules sets WERROR=0.
WERROR   ?= 1
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral $(if $(filter 1,$(WERROR)),-Werror)
CFLAGS   ?= -O2 -g
# _FORTIFY_SOURCE only when neither the caller nor the compiler set it
# (dpkg passes =2, some compilers predefine it): redefining it is an error.
FORTIFY  := $(if $(shell echo | $(CC) $(CPPFLAGS) $(CFLAGS) -dM -E - 2>/dev/null | grep -w _FORTIFY_SOURCE),,-D_FORTIFY_SOURCE=3)
HARDEN   := -fstack-protector-strong -fPIC
VMNET_CPPFLAGS := $(FORTIFY) -Icommon $(PKG_CFLAGS)
VMNET_CFLAGS   := -std=gnu11 $(WARN) $(HARDEN) -fvisibility=hidden
VMNET_LDFLAGS  := -Wl,-z,relro,-z,now -Wl,--as-needed
# Shared objects are loaded into other programs: every symbol they use
# must come from a library they name.
SO_LDFLAGS     := -shared -Wl,-z,defs

ifeq ($(SANITIZE),1)
  FORTIFY  :=
  VMNET_CPPFLAGS := -Icommon $(PKG_CFLAGS)
  VMNET_CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  VMNET_LDFLAGS  += -fsanitize=address,undefined
  # the sanitizers' runtime resolves some symbols at load time
  SO_LDFLAGS     := -shared
endif

COMPILE = $(CC) $(VMNET_CPPFLAGS) $(CPPFLAGS) $(VMNET_CFLAGS) $(CFLAGS)
LINK    = $(CC) $(VMNET_CFLAGS) $(CFLAGS) $(VMNET_LDFLAGS) $(LDFLAGS)

PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib/$(shell $(CC) -print-multiarch 2>/dev/null)
PKGLIBDIR?= $(PREFIX)/lib/vmnet
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR  ?= $(PREFIX)/lib/systemd/system
PAMCONFIGDIR ?= $(PREFIX)/share/pam-configs
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR   ?= $(PREFIX)/share/doc/vmnet

COMMON_SRC := $(sort $(wildcard common/*.c))
HELPER_SRC := $(sort $(filter-out helper/main.c,$(wildcard helper/*.c)))
PAM_SRC    := $(sort $(wildcard pam_vmnet/*.c))
NSS_SRC    := $(sort $(wildcard nss_vmnet/*.c))
NAMES_SRC  := $(sort $(wildcard names/*.c))
BRIDGE_HELPER_SRC := $(sort $(wildcard cli/bridge_helper*.c) cli/call.c)
LXC_HOOK_SRC := $(if $(wildcard cli/lxc_hook.c),cli/lxc_hook.c cli/netns.c cli/call.c)
CLI_SRC    := $(sort $(filter-out $(wildcard cli/bridge_helper*.c) cli/lxc_hook.c,$(wildcard cli/*.c)))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

obj = $(1:%.c=$(BUILD)/obj/%.o)

PROGRAMS := $(BUILD)/vmnetd
PROGRAMS += $(if $(PAM_SRC),$(BUILD)/pam_vmnet.so)
PROGRAMS += $(if $(NSS_SRC),$(BUILD)/libnss_vmnet.so.2)
PROGRAMS += $(if $(CLI_SRC),$(BUILD)/vmnet)
PROGRAMS += $(if $(BRIDGE_HELPER_SRC),$(BUILD)/vmnet-bridge-helper)
PROGRAMS += $(if $(LXC_HOOK_SRC),$(BUILD)/vmnet-lxc-hook)
PROGRAMS += $(if $(NAMES_SRC),$(BUILD)/vmnet-names)

# Test tools (tests/tools/*.c): small clients the integration tests drive; not installed.
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all check check-unit check-integration check-sanitize fuzz guest bench demo deb install clean deps
all: $(PROGRAMS) $(TOOL_BIN)

# One version for every program's --version: the upstream part of the first
# entry of debian/changelog ("0.1.0" of "0.1.0-1"), passed to version.c only.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog | sed 's/-[^-]*$$//')
ifeq ($(VERSION),)
  $(error cannot read the version from the first line of debian/changelog)
endif
$(BUILD)/obj/common/version.o: VMNET_CPPFLAGS += -DVMNET_VERSION='"$(VERSION)"'
$(BUILD)/obj/common/version.o: debian/changelog

# Where the packages install the bridge helper and the LXC hook, for `vmnet
# hint`, and the names program, for vmnetd's dnsmasq.
$(BUILD)/obj/cli/%.o: VMNET_CPPFLAGS += -DVMNET_BRIDGE_HELPER_PATH='"$(PKGLIBDIR)/vmnet-bridge-helper"' \
                                         -DVMNET_LXC_HOOK_PATH='"$(PKGLIBDIR)/vmnet-lxc-hook"'
$(BUILD)/obj/helper/%.o: VMNET_CPPFLAGS += -DVMNET_NAMES_PATH='"$(PKGLIBDIR)/vmnet-names"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(COMPILE) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(BUILD)/libvmnet-common.a: $(call obj,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libvmnet-helper.a: $(call obj,$(HELPER_SRC))
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libvmnet-nss.a: $(call obj,$(NSS_SRC))
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libvmnet-pam.a: $(call obj,$(PAM_SRC))
	@rm -f $@
	ar rcs $@ $^
# vmnet's pieces without its main(), for the unit tests
$(BUILD)/libvmnet-cli.a: $(call obj,$(filter-out cli/vmnet.c,$(CLI_SRC)))
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libvmnet-names.a: $(call obj,$(filter-out names/main.c,$(NAMES_SRC)))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vmnetd: $(call obj,helper/main.c) $(BUILD)/libvmnet-helper.a $(BUILD)/libvmnet-common.a
	$(LINK) $^ $(PKG_LIBS) -o $@

$(BUILD)/pam_vmnet.so: $(call obj,$(PAM_SRC)) $(BUILD)/libvmnet-common.a pam_vmnet/pam_vmnet.map
	$(LINK) $(SO_LDFLAGS) -Wl,--version-script=pam_vmnet/pam_vmnet.map \
	  $(call obj,$(PAM_SRC)) $(BUILD)/libvmnet-common.a -lpam -o $@

$(BUILD)/libnss_vmnet.so.2: $(call obj,$(NSS_SRC)) $(BUILD)/libvmnet-common.a nss_vmnet/nss_vmnet.map
	$(LINK) $(SO_LDFLAGS) -Wl,-soname,libnss_vmnet.so.2 \
	  -Wl,--version-script=nss_vmnet/nss_vmnet.map \
	  $(call obj,$(NSS_SRC)) $(BUILD)/libvmnet-common.a -o $@

# libpcap: vmnet capture compiles filters and writes pcap with it
$(BUILD)/vmnet: $(call obj,$(CLI_SRC)) $(BUILD)/libvmnet-common.a
	$(LINK) $^ -lpcap -o $@

$(BUILD)/vmnet-bridge-helper: $(call obj,$(BRIDGE_HELPER_SRC)) $(BUILD)/libvmnet-common.a
	$(LINK) $^ -o $@

$(BUILD)/vmnet-lxc-hook: $(call obj,$(LXC_HOOK_SRC)) $(BUILD)/libvmnet-common.a
	$(LINK) $^ -o $@

$(BUILD)/vmnet-names: $(call obj,names/main.c) $(BUILD)/libvmnet-names.a $(BUILD)/libvmnet-common.a
	$(LINK) $^ -lcap-ng -o $@

# Unit tests link every library archive: the linker takes only what a test uses.
TEST_ARCHIVES := $(BUILD)/libvmnet-helper.a $(if $(NSS_SRC),$(BUILD)/libvmnet-nss.a) \
                 $(if $(PAM_SRC),$(BUILD)/libvmnet-pam.a) $(BUILD)/libvmnet-cli.a \
                 $(if $(NAMES_SRC),$(BUILD)/libvmnet-names.a) \
                 $(BUILD)/libvmnet-common.a
# test_lab fails allocations on purpose: every realloc goes through its own.
$(BUILD)/tests/test_lab: TEST_LDFLAGS = -Wl,--wrap=realloc
$(BUILD)/tests/%: tests/unit/%.c $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	$(COMPILE) -Itests/unit -Ihelper -Inss_vmnet -Ipam_vmnet -Icli -Inames $(VMNET_LDFLAGS) $(LDFLAGS) $(TEST_LDFLAGS) $< $(TEST_ARCHIVES) \
	  $(PKG_LIBS) -lcmocka -lpam -lpthread -o $@

# Test tools (tests/tools/*.c): small clients the integration tests drive.
# names-latency captures the client's DHCPREQUEST with libpcap.
$(BUILD)/tests/tools/names-latency: TOOL_LIBS = -lpcap
$(BUILD)/tests/tools/%: tests/tools/%.c $(TEST_ARCHIVES)
	@mkdir -p $(dir $@)
	$(COMPILE) -Ihelper -Inss_vmnet $(VMNET_LDFLAGS) $(LDFLAGS) $< $(TEST_ARCHIVES) $(PKG_LIBS) $(TOOL_LIBS) -lpthread -o $@

check-unit: $(UNIT_BIN) $(PROGRAMS) $(TOOL_BIN)
	tests/run-unit $(UNIT_BIN)
	$(if $(NSS_SRC),tests/check-nss-reader $(BUILD)/libnss_vmnet.so.2)

check-integration: $(PROGRAMS) $(TOOL_BIN) guest
	tests/run-integration

# The tiny QEMU test guest, from Debian's kernel and busybox packages.  Built
# here, outside the tests' network namespaces, where the archive is reachable;
# exit 77 (cannot be had) lets the guest tests skip with the reason.
guest:
	@tests/guest/build; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]

# Everything, after installing what the tests need (idempotent, asks apt
# only for what is missing): unit tests, the same under ASan+UBSan (with vmnetd's own
# integration tests driving a sanitized vmnetd), a short fuzzing pass, then
# every integration test.  Needs root for the integration part.
check:
	tools/install-deps --tests
	$(MAKE) check-unit check-sanitize fuzz check-integration

check-sanitize:
	$(MAKE) BUILD=$(BUILD)/sanitize SANITIZE=1 check-unit
	BUILD=$(abspath $(BUILD))/sanitize TESTS=vmnetd tests/run-integration

fuzz:
	tests/fuzz/run $(or $(FUZZ_SECONDS),15)

# (the benchmarks use the test tools and the guest, built out here: the
# archive is not reachable from their namespaces)
bench: $(PROGRAMS) $(TOOL_BIN) guest
	tests/bench/run

# Installs the build dependencies itself, then runs the demo as root.
demo:
	./demo/run

deps:
	./tools/install-deps

deb:
	./tools/make-deb

# Everything a system needs, below DESTDIR.  An existing vmnet.conf is the
# admin's: never overwritten.
install: $(PROGRAMS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) \
	  $(DESTDIR)$(LIBDIR)/security $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/security $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(PAMCONFIGDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(BUILD)/vmnetd $(DESTDIR)$(SBINDIR)/vmnetd
	$(if $(CLI_SRC),install -m 0755 $(BUILD)/vmnet $(DESTDIR)$(BINDIR)/vmnet)
	$(if $(BRIDGE_HELPER_SRC),install -m 0755 $(BUILD)/vmnet-bridge-helper $(DESTDIR)$(PKGLIBDIR)/vmnet-bridge-helper)
	$(if $(LXC_HOOK_SRC),install -m 0755 $(BUILD)/vmnet-lxc-hook $(DESTDIR)$(PKGLIBDIR)/vmnet-lxc-hook)
	$(if $(NAMES_SRC),install -m 0755 $(BUILD)/vmnet-names $(DESTDIR)$(PKGLIBDIR)/vmnet-names)
	$(if $(NAMES_SRC),$(if $(DESTDIR),,{ setcap '=' $(PKGLIBDIR)/vmnet-names 2>/dev/null || true; }))
	$(if $(PAM_SRC),install -m 0644 $(BUILD)/pam_vmnet.so $(DESTDIR)$(LIBDIR)/security/pam_vmnet.so)
	$(if $(NSS_SRC),install -m 0644 $(BUILD)/libnss_vmnet.so.2 $(DESTDIR)$(LIBDIR)/libnss_vmnet.so.2)
	[ -e $(DESTDIR)$(SYSCONFDIR)/security/vmnet.conf ] || \
	  install -m 0644 etc/vmnet.conf $(DESTDIR)$(SYSCONFDIR)/security/vmnet.conf
	for u in etc/systemd/*.socket etc/systemd/*.service; do \
	  sed 's|/usr/sbin/vmnetd|$(SBINDIR)/vmnetd|' "$$u" > "$(DESTDIR)$(UNITDIR)/$${u##*/}"; \
	  chmod 0644 "$(DESTDIR)$(UNITDIR)/$${u##*/}"; done
	install -m 0644 etc/pam-configs/vmnet $(DESTDIR)$(PAMCONFIGDIR)/vmnet
	install -m 0644 etc/sysusers.d/vmnet.conf $(DESTDIR)$(SYSUSERSDIR)/vmnet.conf
	for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	  install -m 0644 "$$m" "$(DESTDIR)$(MANDIR)/man$${m##*.}/"; done

clean:
	rm -rf $(BUILD) dist
