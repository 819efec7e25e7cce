# tests/tests.mk: the test suite (included by the Makefile). docs/testing.md explains it.
include tests/unit/objects.mk
include tests/guests/objects.mk

UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -DTV_HOSTED -Iinclude \
	-Iarch/x86/priv -Itests/unit -DTEST_DATA_DIR='"$(CURDIR)/tests/data"' \
	-fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_BINS := $(patsubst %,$(B)/tests/unit/test_%,$(UNIT_TESTS))
# Any header a test may see: a changed contract rebuilds the tests against it.
UNIT_HDRS := $(wildcard tests/unit/*.h include/tv/*.h include/tv/vdev/*.h arch/x86/priv/x86/*.h)

.SECONDEXPANSION:
$(B)/tests/unit/test_%: tests/unit/test_%.c $$(test_%_SRCS) $(UNIT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $@"
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $< $(test_$*_SRCS) $(test_$*_LIBS)

# A test-only EFI app that proves the firmware moved on to its next boot option.
$(B)/tests/sentinel.so: $(B)/efi/tests/efi/sentinel.c.o
	$(Q)$(LD) $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $< -o $@ -L/usr/lib -lefi -lgnuefi
$(B)/tests/sentinel.efi: $(B)/tests/sentinel.so
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# In-guest test programs: freestanding ELF64 VM kernels (tests/guests/README.md).
GUEST_ELFS := $(patsubst %,$(B)/guests/%.elf,$(GUESTS))
GUEST_RT_OBJS := $(patsubst %,$(B)/guests/rt/%.o,$(GUEST_RT))

$(B)/guests/rt/%.S.o: %.S $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@
$(B)/guests/rt/%.c.o: %.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(B)/guests/%.o: tests/guests/%.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) $(if $(GUEST_CFLAGS_$*),$(GUEST_CFLAGS_$*),$(GUEST_CFLAGS)) -c $< -o $@
$(B)/guests/%.elf: $(B)/guests/%.o $(GUEST_RT_OBJS) $(GUEST_LDS)
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_RT_OBJS) $<

guests: $(GUEST_ELFS)
.PHONY: guests
# Kept, so a change to a guest header rebuilds the guests that include it.
.SECONDARY: $(patsubst %,$(B)/guests/%.o,$(GUESTS)) $(GUEST_RT_OBJS)

# Integration tests: whole boots under QEMU (AMD-V) and Bochs (VT-x). The VM
# tests in tests/vm run once per vendor ("svm:"/"vmx:" set HV for the script).
VM_TESTS := tests/vm/linux.sh tests/vm/hostile.sh tests/vm/configs.sh tests/vm/two_linux.sh \
	tests/vm/smp.sh tests/vm/virtio.sh tests/vm/virtio_hostile.sh tests/vm/net.sh
INTEGRATION := tests/qemu/boot.sh tests/qemu/smp.sh tests/qemu/sched.sh tests/qemu/panic.sh tests/qemu/bad_image.sh tests/qemu/nvme.sh tests/qemu/persist.sh tests/qemu/nic.sh \
	tests/bochs/boot.sh tests/bochs/uefi.sh tests/qemu/vm_console.sh tests/qemu/kbd.sh tests/qemu/efivar.sh \
	tests/qemu/mgmt_net.sh tests/qemu/dcui.sh tests/qemu/overcommit.sh \
	$(addprefix svm:,$(VM_TESTS)) $(addprefix vmx:,$(VM_TESTS))

.PHONY: test unit-tests integration-tests
unit-tests: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

integration-tests: all guests $(B)/tests/sentinel.efi
	tests/run.sh $(INTEGRATION)

test: deps
	$(MAKE) all
	$(MAKE) unit-tests
	$(MAKE) integration-tests
