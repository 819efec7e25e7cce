// SPDX-License-Identifier: MIT
/*
 * triple.c: a guest that triple-faults on purpose. With an empty IDT
 * (limit 0) int3 cannot be delivered (#GP), neither can the #GP, nor the
 * resulting #DF: the CPU shuts down. thinvisor must mark the VM crashed and
 * go on; there is no PASS line from inside (the runner reads the host log).
 * With triple.stack=ADDR it instead takes a #UD with RSP at ADDR, outside
 * its RAM: the frame cannot be pushed, and the host must stop the VM
 * rather than emulate the instruction the exception interrupted.
 */
#include "rt.h"

TV_TEST_NAME("triple");

void guest_main(const u8 *boot_params)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = { 0, 0 };

	u64 stack = cmdline_u64("triple.stack", 0);

	if (stack) {
		tv_printf("TV-TEST triple: about to take #UD on a stack at %#llx\n", stack);
		asm volatile("mov %0, %%rsp\n\t"
			     "ud2" : : "r"(stack) : "memory");
		tv_fail("the #UD on a stack outside RAM came back");
	}
	tv_printf("TV-TEST triple: about to triple fault\n");
	asm volatile("lidt %0\n\t"
		     "int3\n\t"
		     "ud2" : : "m"(empty) : "memory");
	/* Not reached on a working CPU/hypervisor (there is no IDT to get here). */
	tv_fail("still running after a triple fault");
}
