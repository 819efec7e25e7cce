// SPDX-License-Identifier: MIT
/*
 * reboot.c: a guest reset restarts the VM. The first boot leaves a mark in
 * CMOS RAM (which survives a reset, like a real RTC's battery-backed RAM)
 * and resets through the ACPI reset register; the second boot finds the mark,
 * clears it and passes.
 */
#include "rt.h"

TV_TEST_NAME("reboot");

#define MARK_REG 0x40
#define MARK 0x5a

void guest_main(const u8 *boot_params)
{
	(void)boot_params;
	if (cmos_read(MARK_REG) != MARK) {
		tv_printf("TV-TEST reboot: first boot, resetting the VM\n");
		cmos_write(MARK_REG, MARK);
		outb(RESET_PORT, 0x06);
		tv_printf("TV-TEST reboot: FAIL still running after the reset write\n");
		poweroff();
	}
	cmos_write(MARK_REG, 0);
	tv_printf("TV-TEST reboot: second boot after the reset\n");
	tv_printf("TV-TEST reboot: PASS\n");
	poweroff();
}
