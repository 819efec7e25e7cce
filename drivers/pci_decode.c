// SPDX-License-Identifier: MIT
/* pci_decode.c: BAR sizing arithmetic and the capability walk, free of hardware access. */
#include <tv/pci.h>

unsigned pci_bar_decode(u32 lo, u32 hi, u32 mask_lo, u32 mask_hi, struct pci_bar *out)
{
	out->base = out->size = 0;
	out->prefetch = false;
	if (lo & 1) {
		u32 m = mask_lo & ~3u;

		out->kind = PCI_BAR_IO;
		out->base = lo & ~3u;
		/* Devices may leave the upper 16 bits of an I/O BAR unimplemented. */
		if (m && !(m & 0xffff0000u))
			m |= 0xffff0000u;
		out->size = m ? (u32)(~m + 1) : 0;
		return 1;
	}
	out->prefetch = lo & 8;
	if (((lo >> 1) & 3) == 2) {
		u64 m = ((u64)mask_hi << 32) | (mask_lo & ~15u);

		out->kind = PCI_BAR_MEM64;
		out->base = ((u64)hi << 32) | (lo & ~15u);
		out->size = m ? ~m + 1 : 0;
		return 2;
	}
	out->kind = PCI_BAR_MEM32;
	out->base = lo & ~15u;
	out->size = (mask_lo & ~15u) ? (u32)(~(mask_lo & ~15u) + 1) : 0;
	return 1;
}

u8 pci_cap_walk(u8 (*read8)(void *ctx, u16 off), void *ctx, u8 id)
{
	u8 p = read8(ctx, 0x34) & ~3u;

	/* 48 capabilities fill the 192 bytes above the header: more is a loop. */
	for (int n = 0; p >= 0x40 && n < 48; n++) {
		if (read8(ctx, p) == id)
			return p;
		p = read8(ctx, p + 1) & ~3u;
	}
	return 0;
}
