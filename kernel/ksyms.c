// SPDX-License-Identifier: MIT
/*
 * ksyms.c: looking up function names. The table (section .ksyms) is made by
 * tools/mksyms from the first link pass: a count, the sorted addresses as
 * their low 32 bits (the kernel is in the top 2 GiB, so sign extension gives
 * the address back), then the names in the same order.
 */
#include <tv/ksyms.h>

extern const u64 ksyms_count;
extern const u32 ksyms_addr32[];
extern const char ksyms_names[];
extern char __text_end[];

static u64 ksym_addr(u64 i)
{
	return (u64)(s64)(s32)ksyms_addr32[i];
}

const char *ksym_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = ksyms_count;
	const char *name = ksyms_names;

	if (!hi || addr < ksym_addr(0) || addr >= (u64)(uintptr_t)__text_end)
		return NULL;
	/* The last entry whose address is <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksym_addr(mid) <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_addr(lo);
	/* Names are not indexed: skip lo of them (only a panic looks names up). */
	for (u64 i = 0; i < lo; i++)
		while (*name++)
			;
	return name;
}
