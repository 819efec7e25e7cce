// SPDX-License-Identifier: MIT
/*
 * triple.c: a guest that triple-faults on purpose. With an empty IDT
 * (limit 0) int3 cannot be delivered (#GP), neither can the #GP, nor the
 * resulting #DF: the CPU shuts down. thinvisor must mark the VM crashed and
 * go on; there is no PASS line from inside (the runner reads the host log).
 */
#include "rt.h"

TV_TEST_NAME("triple");

void guest_main(const u8 *boot_params)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = { 0, 0 };

	tv_printf("TV-TEST triple: about to triple fault\n");
	asm volatile("lidt %0\n\t"
		     "int3\n\t"
		     "ud2" : : "m"(empty) : "memory");
	/* Not reached on a working CPU/hypervisor (there is no IDT to get here). */
	tv_fail("still running after a triple fault");
}
