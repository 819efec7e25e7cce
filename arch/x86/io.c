// SPDX-License-Identifier: MIT
/* io.c: port I/O for generic code (ACPI fixed hardware). */
#include <tv/arch.h>
#include <x86/io.h>

u32 arch_io_read(u16 port, unsigned width)
{
	switch (width) {
	case 8:
		return inb(port);
	case 16:
		return inw(port);
	default:
		return inl(port);
	}
}

void arch_io_write(u16 port, unsigned width, u32 value)
{
	switch (width) {
	case 8:
		outb(port, (u8)value);
		break;
	case 16:
		outw(port, (u16)value);
		break;
	default:
		outl(port, value);
		break;
	}
}

/* Keyboard-controller reset, then a triple fault: what is left without ACPI. */
void __noreturn arch_reset_fallback(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) null_idt = { 0, 0 };

	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		;
	outb(0x64, 0xfe);
	for (volatile int i = 0; i < 1000000; i++)
		;
	outb(0xcf9, 0x06); /* PCI reset control on chipsets that have it */
	__asm__ __volatile__("lidt %0; int3" : : "m"(null_idt));
	arch_halt_forever();
}
