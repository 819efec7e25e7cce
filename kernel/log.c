// SPDX-License-Identifier: MIT
/* log.c: the kernel log: timestamped lines to a ring buffer and every console. */
#include <tv/arch.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>

#define RING_SIZE (64u << 10)

static char ring[RING_SIZE];
static u64 ring_head;              /* bytes ever written */
static struct console *consoles;
static enum log_level console_level = LOG_INFO;
static spinlock_t log_lock = SPINLOCK_INIT;
static bool at_line_start = true;

void console_register(struct console *c)
{
	irqflags_t f = spin_lock_irqsave(&log_lock);

	c->next = consoles;
	consoles = c;
	spin_unlock_irqrestore(&log_lock, f);
}

void log_set_level(enum log_level lvl)
{
	console_level = lvl;
}

void log_force_unlock(void)
{
	spin_unlock(&log_lock);
}

static void emit(const char *s, size_t n, bool to_consoles)
{
	for (size_t i = 0; i < n; i++)
		ring[(ring_head + i) % RING_SIZE] = s[i];
	ring_head += n;
	if (!to_consoles)
		return;
	for (struct console *c = consoles; c; c = c->next)
		c->write(c, s, n);
}

void log_vprintf(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[512];
	char stamp[24];
	int n, sn = 0;
	irqflags_t f;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n'; /* a truncated line still ends its line */
	}
	f = spin_lock_irqsave(&log_lock);
	if (at_line_start) {
		u64 ns = arch_uptime_ns();

		sn = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
			      (unsigned long long)(ns / 1000000000),
			      (unsigned long long)(ns / 1000 % 1000000));
		emit(stamp, (size_t)sn, lvl <= console_level);
	}
	emit(buf, (size_t)n, lvl <= console_level);
	at_line_start = n > 0 && buf[n - 1] == '\n';
	spin_unlock_irqrestore(&log_lock, f);
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(lvl, fmt, ap);
	va_end(ap);
}

void console_out(const char *s, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&log_lock);

	for (struct console *c = consoles; c; c = c->next)
		c->write(c, s, n);
	spin_unlock_irqrestore(&log_lock, f);
}

size_t log_ring_read(char *buf, size_t size)
{
	irqflags_t f = spin_lock_irqsave(&log_lock);
	u64 avail = ring_head < RING_SIZE ? ring_head : RING_SIZE;
	u64 n = avail < size ? avail : size;

	for (u64 i = 0; i < n; i++)
		buf[i] = ring[(ring_head - n + i) % RING_SIZE];
	spin_unlock_irqrestore(&log_lock, f);
	return (size_t)n;
}
