// SPDX-License-Identifier: MIT
/*
 * kbdtest.c: test.kbd, the console keys self-test (tests/qemu/kbd.sh): every
 * key from the PS/2 keyboard and from the serial line is logged by name.
 */
#include <tv/arch.h>
#include <tv/drivers.h>
#include <tv/keys.h>
#include <tv/log.h>

#define TEST_NS 20000000000ull

static void log_key(int key, const char *from, bool *done)
{
	char name[24];

	pr_info("test.kbd: key %s (%s)\n", key_name(key, name, sizeof(name)), from);
	if (key == KEY_CTRL_RBRACKET)
		*done = true;
}

void kbd_selftest(void)
{
	struct keydec term;
	bool kbd_done = false, serial_done = false;
	u64 t0 = arch_uptime_ns();
	int c, key;

	keydec_init(&term);
	pr_info("test.kbd: logging keys for 20 s, or until Ctrl-] from both\n");
	while (!(kbd_done && serial_done) && arch_uptime_ns() - t0 < TEST_NS) {
		while ((key = kbd_getkey()) >= 0)
			log_key(key, "kbd", &kbd_done);
		while ((c = uart_getc()) >= 0)
			if ((key = keydec_feed(&term, (u8)c, arch_uptime_ns())))
				log_key(key, "serial", &serial_done);
		if ((key = keydec_idle(&term, arch_uptime_ns())))
			log_key(key, "serial", &serial_done);
		/* the tick, IRQ 1 or the UART wakes it */
		arch_wait_for_interrupt();
	}
	pr_info("test.kbd: done\n");
}
