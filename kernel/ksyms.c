// SPDX-License-Identifier: MIT
/*
 * ksyms.c: looking up function names. The table (section .ksyms) is made by
 * tools/mksyms from the first link pass: a count, then sorted entries of
 * {address, name offset}, then the names.
 */
#include <tv/ksyms.h>

struct ksym {
	u64 addr;
	u64 name;   /* offset into the names that follow the entries */
};

extern const u64 ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern char __text_end[];

const char *ksym_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = ksyms_count;

	if (!hi || addr < ksyms_table[0].addr || addr >= (u64)(uintptr_t)__text_end)
		return NULL;
	/* The last entry whose address is <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name;
}
