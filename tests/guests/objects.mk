# tests/guests/objects.mk: thinvisor's freestanding test guests (tests/guests/README.md).
# Each name in GUESTS is one program, tests/guests/NAME.c, linked with the
# runtime GUEST_RT into its own ELF64 (a VM's guest.kernel).
GUESTS := triple mmio msr ioport spin cpuid timer fpu reboot realmode smp virtq touch
GUEST_RT := tests/guests/start.S tests/guests/rt.c
GUEST_HDRS := tests/guests/rt.h
GUEST_LDS := tests/guests/guest.ld

# Recursive (=) so that GCC_INC and WARN, defined after this file may be
# included, are expanded where the flags are used.
GUEST_CFLAGS_BASE = -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-fno-pic -fno-pie -mcmodel=small -mno-red-zone -fno-stack-protector \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-omit-frame-pointer $(WARN) -Itests/guests
# Everything except fpu.c uses no SSE/x87 at all; fpu.c enables SSE itself
# (CR4.OSFXSR) before touching vector registers.
GUEST_CFLAGS = $(GUEST_CFLAGS_BASE) -mgeneral-regs-only
GUEST_CFLAGS_fpu = $(GUEST_CFLAGS_BASE) -msse2 -mno-avx
GUEST_ASFLAGS = $(GUEST_CFLAGS_BASE) -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack -T $(GUEST_LDS)
