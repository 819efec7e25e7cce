// SPDX-License-Identifier: MIT
/*
 * touch.c: guest RAM backed on first touch (vmm/vm_mem.c), seen from inside.
 *
 * From touch.from (MiB, default 16) to the end of RAM given as touch.mib
 * (default 64), one byte per 2 MiB chunk the loader never wrote: each reads
 * zero, is written with a pattern and reads it back; a second pass, after
 * touch.hold milliseconds (default 0) of holding it, finds every pattern;
 * touch.fill=1 also writes a word into every 4 KiB page of the range, so
 * none is left zero. With interrupts masked, each first touch is timed (it is
 * a nested page fault that backs the chunk) and so is a second one (none):
 *   TV-BENCH npf-first-touch: <mean TSC cycles>
 *   TV-BENCH npf-first-touch-min: <lowest>
 *   TV-BENCH npf-second-touch: <mean TSC cycles>
 */
#include "rt.h"

TV_TEST_NAME("touch");

#define CHUNK (2ull << 20)

void guest_main(const u8 *boot_params)
{
	u64 from = cmdline_u64("touch.from", 16) << 20, end = cmdline_u64("touch.mib", 64) << 20;
	u64 n = 0, first = 0, best = ~0ull, second = 0;
	unsigned nonzero = 0, lost = 0;

	(void)boot_params;
	cli();
	for (u64 a = from; a + CHUNK <= end; a += CHUNK, n++) {
		volatile u64 *p = (volatile u64 *)(a + 4096 * (n % 512));
		u64 t0 = rdtsc_ordered();

		nonzero += *p != 0;
		u64 t1 = rdtsc_ordered();

		*p = a ^ 0x5a5a5a5a5a5a5a5aull;
		u64 t2 = rdtsc_ordered();

		nonzero += p[1] != 0;
		u64 t3 = rdtsc_ordered();

		first += t1 - t0;
		best = t1 - t0 < best ? t1 - t0 : best;
		second += t3 - t2;
	}
	/* touch.fill: a word in every 4 KiB page too, so each needs a frame of its own. */
	if (cmdline_u64("touch.fill", 0))
		for (u64 a = from; a < end; a += 4096)
			*(volatile u64 *)(a + 16) = a | 1;
	/* touch.hold: keep the memory (and look again) while other VMs run. */
	udelay(cmdline_u64("touch.hold", 0) * 1000);
	n = 0;
	for (u64 a = from; a + CHUNK <= end; a += CHUNK, n++)
		lost += *(volatile u64 *)(a + 4096 * (n % 512)) != (a ^ 0x5a5a5a5a5a5a5a5aull);
	tv_check(n > 0, "%llu chunks from %llu to %llu MiB touched", n, from >> 20, end >> 20);
	tv_check(nonzero == 0, "RAM reads zero on first touch (%u words were not)", nonzero);
	tv_check(lost == 0, "every chunk keeps what was written (%u lost)", lost);
	if (n) {
		tv_printf("TV-BENCH npf-first-touch: %llu\n", first / n);
		tv_printf("TV-BENCH npf-first-touch-min: %llu\n", best);
		tv_printf("TV-BENCH npf-second-touch: %llu\n", second / n);
	}
}
