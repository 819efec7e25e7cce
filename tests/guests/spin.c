// SPDX-License-Identifier: MIT
/*
 * spin.c: a guest that never gives its CPU back: interrupts off, an endless
 * jump to itself. No verdict from inside: the runner checks that the host
 * and the other VMs go on (thinvisor must preempt the vCPU).
 */
#include "rt.h"

TV_TEST_NAME("spin");

void guest_main(const u8 *boot_params)
{
	tv_printf("TV-TEST spin: spinning with interrupts off\n");
	asm volatile("cli\n"
		     "1:\tjmp 1b" ::: "memory");
	__builtin_unreachable();
}
