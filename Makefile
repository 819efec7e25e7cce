# thinvisor: one Makefile for the loader, the kernel, host tools, images and tests.
#
#   make            build everything: build/thinvisor.img (the stick) and the GRUB ISO
#   make run        boot the stick image with its demo VM under QEMU
#   make test       the whole test suite (unit, QEMU, Bochs), as CI runs it
#   make bench      print the figures the issues ask for
#
# make run/test/bench first install missing Debian packages (scripts/deps.sh).

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
# make V=1 shows every command
ifeq ($(V),1)
Q :=
else
Q := @
endif
B := build
CC := gcc
LD := ld
OBJCOPY := objcopy
NM := nm

include lib/objects.mk
include boot/objects.mk
include kernel/objects.mk
include arch/x86/objects.mk
include drivers/objects.mk
include vmm/objects.mk
include net/objects.mk

GCC_INC := $(shell $(CC) -print-file-name=include)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
# Freestanding builds see only the compiler's headers, ours, and (through
# symlinks in $(B)/sysinc) the libfdt and zlib headers of the Debian packages.
FREESTANDING := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-Iinclude -Iinclude/freestanding -isystem $(B)/sysinc \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -fcf-protection=none \
	-DTV_VERSION='"$(VERSION)"'

# ---- kernel ---------------------------------------------------------------
# Own code also uses the stack protector: the canary lives in the per-CPU
# area at %fs:0x28, which libfdt.a needs anyway.
KCFLAGS := $(FREESTANDING) $(WARN) -O2 -g -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
	-fstack-protector-strong -Iarch/x86/include -MMD -MP
# arch/x86 alone sees its private headers.
KCFLAGS_ARCH := -Iarch/x86/priv
# Cold code is built for size (-Os): boot-time setup, ACPI and config parsing,
# logging, panic, SMP bring-up, host drivers (they wait on devices), the
# datastore, VM creation, virtio and disks (once per request, not per guest
# instruction), and the explainers of a refused VM entry (svm_check,
# vmx_check, vmx_diag). Everything on the
# VM-exit path stays -O2: arch/x86/svm and vmx, vmm/exits.c, vcpu.c,
# emulate.c, emul/, dev/, the buses, MSRs, CPUID, vtimer, vconsole, and the
# interrupt, timer, FPU, scheduler and mem* code they call. New cold files
# join KCOLD (a pattern per directory or file); new hot ones need nothing.
KCOLD := kernel/main.c kernel/log.c kernel/panic.c kernel/bootinfo.c kernel/framemap.c \
	kernel/pmm.c kernel/cmdline.c kernel/ksyms.c kernel/acpi.c kernel/acpi_host.c \
	kernel/power.c kernel/vms.c kernel/sched_bench.c \
	drivers/% lib/strutil.c lib/cfglex.c lib/memmap.c lib/elf64.c lib/vsnprintf.c \
	lib/bootinfo_build.c lib/keydec.c \
	arch/x86/boot/mb2.c arch/x86/cpu.c arch/x86/desc.c arch/x86/paging.c arch/x86/ioapic.c \
	arch/x86/smp.c arch/x86/virt.c \
	vmm/vm.c vmm/vmconfig.c vmm/vmconfig_dev.c vmm/mempolicy.c vmm/platform.c vmm/boot/% \
	vmm/virtio/% vmm/disk/% vmm/virtio_host.c net/portgroup.c \
	kernel/ds_layout.c kernel/datastore.c kernel/blktest.c kernel/netprobe.c kernel/nettest.c kernel/kbdtest.c \
	arch/x86/svm/svm_check.c arch/x86/vmx/vmx_check.c arch/x86/vmx/vmx_diag.c \
	kernel/efivar.c arch/x86/efi_rt.c kernel/hostcfg.c kernel/dcui.c kernel/dcui_host.c
kopt = $(if $(filter $(KCOLD),$(1)),-Os)
KLDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
	-T linker.ld
KLIBS := /usr/lib/x86_64-linux-gnu/libfdt.a
KERNEL_SRCS += $(LIB_SHARED) $(LIB_KERNEL) $(LIB_STRING) $(LIB_MEM)
KOBJS := $(patsubst %,$(B)/kernel/%.o,$(KERNEL_SRCS))

$(B)/kernel/arch/%.c.o: arch/%.c | $(B)/sysinc
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(call kopt,$<) $(KCFLAGS_ARCH) -c $< -o $@

$(B)/kernel/arch/%.S.o: arch/%.S $(B)/kernel/gen/asm-offsets.h | $(B)/sysinc
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) $(KCFLAGS_ARCH) -I$(B)/kernel/gen -D__ASSEMBLY__ -c $< -o $@

# kernel/efivar.c takes the UEFI types from gnu-efi; as system headers,
# because they are not warning-clean (old-style prototypes).
$(B)/kernel/kernel/efivar.c.o: KCFLAGS += -isystem /usr/include/efi -isystem /usr/include/efi/x86_64

$(B)/kernel/%.c.o: %.c | $(B)/sysinc
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(call kopt,$<) -c $< -o $@

# Structure offsets for assembly, generated from C (arch/x86/asm-offsets.c).
$(B)/kernel/gen/asm-offsets.h: arch/x86/asm-offsets.c | $(B)/sysinc
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(KCFLAGS) $(KCFLAGS_ARCH) -S $< -o $@.s
	$(Q){ echo "/* generated from arch/x86/asm-offsets.c: do not edit */"; \
	  sed -n 's/.*->\([A-Z_0-9]*\) \$$\{0,1\}\([0-9]*\).*/#define \1 \2/p' $@.s; } > $@

# Backtraces need symbol names: link once with an empty table, generate the
# table from that link, link again. The table sits after .rodata, so text
# addresses cannot move between the passes; the build checks that they did not.
$(B)/kernel/ksyms0.o: tools/ksyms_empty.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(B)/kernel.pass1.elf: $(KOBJS) $(B)/kernel/ksyms0.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/kernel/ksyms0.o $(KLIBS)

$(B)/kernel/ksyms.S: $(B)/kernel.pass1.elf $(B)/host/mksyms
	@echo "  KSYMS   $@"
	$(Q)$(NM) -n --defined-only $< | $(B)/host/mksyms > $@

$(B)/kernel/ksyms.o: $(B)/kernel/ksyms.S
	$(Q)$(CC) -c $< -o $@

$(B)/kernel.elf: $(KOBJS) $(B)/kernel/ksyms.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/kernel/ksyms.o $(KLIBS)
	@$(NM) -n --defined-only $(B)/kernel.pass1.elf | grep -i ' t ' > $(B)/kernel/text1.syms
	@$(NM) -n --defined-only $@ | grep -i ' t ' > $(B)/kernel/text2.syms
	@cmp -s $(B)/kernel/text1.syms $(B)/kernel/text2.syms || \
		{ echo "ksyms: text moved between link passes"; rm -f $@; exit 1; }

$(B)/kernel.stripped.elf: $(B)/kernel.elf
	$(OBJCOPY) --strip-all $< $@

$(B)/kernel.tvk: $(B)/kernel.stripped.elf $(B)/host/mkkimg
	$(B)/host/mkkimg $< $@

# Headers of Debian's libfdt and zlib, without the rest of /usr/include.
$(B)/sysinc:
	@mkdir -p $@
	@for h in libfdt.h libfdt_env.h fdt.h zlib.h zconf.h; do ln -sf /usr/include/$$h $@/$$h; done

# ---- UEFI loader ----------------------------------------------------------
EFI_INC := -I/usr/include/efi -I/usr/include/efi/x86_64
EFI_CFLAGS := $(FREESTANDING) $(WARN) -Wno-strict-prototypes -Wno-missing-prototypes \
	-Os -fpic -fshort-wchar -mno-red-zone -fno-stack-protector \
	-maccumulate-outgoing-args -DZ_SOLO $(EFI_INC) -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -z noexecstack \
	-T /usr/lib/elf_x86_64_efi.lds
EFI_OBJS := $(patsubst %,$(B)/efi/%.o,$(BOOT_SRCS))

$(B)/efi/%.c.o: %.c | $(B)/sysinc
	@mkdir -p $(dir $@)
	@echo "  CC[efi] $<"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/efi/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS[efi] $<"
	$(Q)$(CC) -c $< -o $@

$(B)/loader.so: $(EFI_OBJS)
	@echo "  LD      $@"
	$(Q)$(LD) $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ \
		-L/usr/lib /usr/lib/x86_64-linux-gnu/libz.a /usr/lib/x86_64-linux-gnu/libfdt.a \
		-lefi -lgnuefi

$(B)/BOOTX64.EFI: $(B)/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# ---- host tools -----------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -DTV_HOSTED -Iinclude -MMD -MP
$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/host/mkkimg: $(B)/host/tools/mkkimg.o $(B)/host/lib/kimg.o $(B)/host/lib/elf64.o
	$(CC) -o $@ $^ -lz
$(B)/host/mksyms: $(B)/host/tools/mksyms.o
	$(CC) -o $@ $^
$(B)/host/mkstick: $(B)/host/tools/mkstick.o $(B)/host/tools/gpt.o $(B)/host/lib/cfglex.o \
		$(B)/host/lib/strutil.o
	$(CC) -o $@ $^ -lz

$(B)/host/vmcheck: $(B)/host/tools/vmcheck.o $(B)/host/vmm/vmconfig.o $(B)/host/vmm/vmconfig_dev.o \
		$(B)/host/lib/cfglex.o \
		$(B)/host/lib/strutil.o
	$(CC) -o $@ $^

HOST_TOOLS := $(B)/host/mkkimg $(B)/host/mksyms $(B)/host/mkstick $(B)/host/vmcheck

# ---- guest assets and the demo stick ----------------------------------------
# Debian's kernel and a busybox initramfs, fetched and built by the script
# (idempotent and quick when up to date): assets/guest/.
GUEST_ASSETS := assets/guest/.stamp
$(GUEST_ASSETS): scripts/guest-assets.sh tests/guest/init
	scripts/guest-assets.sh
	@touch $@

# The demo VM config with its guest files beside it, as mkstick expects.
$(B)/demo/vms/demo.vmx: demo/vms/demo.vmx $(GUEST_ASSETS)
	@mkdir -p $(B)/demo/vms/linux
	cp demo/vms/demo.vmx $@
	ln -sf $(CURDIR)/assets/guest/vmlinuz $(B)/demo/vms/linux/vmlinuz
	ln -sf $(CURDIR)/assets/guest/initrd.img $(B)/demo/vms/linux/initrd.img

# ---- images ---------------------------------------------------------------
STICK_SETTINGS ?= demo/settings.cfg
STICK_VMS ?= $(B)/demo/vms/demo.vmx

$(B)/thinvisor.img: $(B)/BOOTX64.EFI $(B)/kernel.tvk $(B)/host/mkstick $(STICK_SETTINGS) $(STICK_VMS)
	$(B)/host/mkstick -o $@ --efi $(B)/BOOTX64.EFI --kernel $(B)/kernel.tvk \
		--settings $(STICK_SETTINGS) $(STICK_VMS)

$(B)/thinvisor-mb2.iso: $(B)/kernel.elf $(B)/host/mkstick scripts/mkiso.sh $(STICK_SETTINGS) $(STICK_VMS)
	scripts/mkiso.sh $@ $(B)/kernel.elf $(STICK_SETTINGS) $(STICK_VMS)

all: $(B)/thinvisor.img $(B)/thinvisor-mb2.iso $(B)/host/vmcheck

# ---- tests, runs, figures ---------------------------------------------------
include tests/tests.mk

.PHONY: all deps run test bench clean
.DEFAULT_GOAL := all

deps:
	scripts/deps.sh

run: deps all
	scripts/qemu.sh $(B)/thinvisor.img -- -netdev user,id=n0 -device virtio-net-pci,netdev=n0

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

bench: deps all guests
	scripts/bench.sh
