/* SPDX-License-Identifier: MIT */
/* drivers.h: host drivers the kernel core starts. */
#ifndef TV_DRIVERS_H
#define TV_DRIVERS_H

#include <tv/types.h>

struct bi_framebuffer;

/* COM1 as a log console (115200 8N1). Safe to call before anything else. */
void uart_init(void);
/* Take received bytes by interrupt from now on (needs the I/O APIC). 0 or <0. */
int uart_enable_rx_irq(void);
/* One received byte, or -1 when none is waiting. */
int uart_getc(void);

/*
 * The PS/2 keyboard (or the firmware's USB emulation of one), keys decoded
 * as in tv/keys.h. After the I/O APIC and the timer; 0, or -ENODEV when
 * there is no controller or keyboard. Polled if IRQ 1 cannot be routed.
 */
int kbd_init(void);
/* One key (tv/keys.h), or -1 when none is waiting; from any CPU. */
int kbd_getkey(void);
/* test.kbd: log the keys of both consoles by name for a while (kernel/kbdtest.c). */
void kbd_selftest(void);

/* Read the host's CMOS clock (after the timer is calibrated). */
void rtc_init(void);
/* Wall-clock seconds since 1970 at host uptime *at_ns. */
s64 rtc_wall_secs(u64 *at_ns);

/* Text console on the firmware's framebuffer. Returns 0 or -errno. */
int fbcon_init(const struct bi_framebuffer *fb);

#endif
