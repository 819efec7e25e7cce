// SPDX-License-Identifier: MIT
/*
 * rt.c: the runtime of thinvisor's test guests: IDT and exception handling
 * (with an exception table for faults a program provokes on purpose), serial
 * printf, verdicts, poweroff, zero-page access and TSC calibration.
 */
#include <stdarg.h>
#include "rt.h"

const u8 *tv_boot_params;
volatile struct tv_fault tv_fault;
const char *volatile tv_current_case;

/* ---- small string helpers ---- */

u64 tv_strlen(const char *s)
{
	u64 n = 0;

	while (s[n])
		n++;
	return n;
}

int tv_strncmp(const char *a, const char *b, u64 n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int tv_strcmp(const char *a, const char *b)
{
	return tv_strncmp(a, b, ~0ull);
}

int tv_memcmp(const void *a, const void *b, u64 n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* The compiler may call these two for struct copies and initializers. */
void *memset(void *d, int c, unsigned long n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	u8 *p = d;
	const u8 *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- serial output ---- */

void tv_putc(char c)
{
	/* THRE is always set on thinvisor's UART; the bound keeps a broken one from hanging us. */
	for (int i = 0; i < 100000 && !(inb(UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	outb(UART_BASE, (u8)c);
}

void tv_puts(const char *s)
{
	while (*s)
		tv_putc(*s++);
}

struct sink {
	char *buf;	/* NULL: the UART */
	u64 size, len;
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		tv_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, u64 len, int width, int left, char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		for (; fill > 0; fill--)
			sink_put(s, pad);
	for (u64 i = 0; i < len; i++)
		sink_put(s, str[i]);
	for (; fill > 0; fill--)
		sink_put(s, ' ');
}

/* %[-0#][width][l|ll|z](d|i|u|x|X|p|s|c|%); '#' puts 0x before hex */
static void vformat(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		int left = 0, width = 0, longs = 0, alt = 0;
		char pad = ' ';

		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '#')
				alt = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		if (left)
			pad = ' ';

		char tmp[24];
		int n = 0;
		u64 v;
		int neg = 0;

		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 sv = longs ? va_arg(ap, s64) : va_arg(ap, int);

			neg = sv < 0;
			v = neg ? -(u64)sv : (u64)sv;
			do
				tmp[n++] = (char)('0' + v % 10);
			while (v /= 10);
			goto emit_num;
		}
		case 'u':
			v = longs ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			do
				tmp[n++] = (char)('0' + v % 10);
			while (v /= 10);
			goto emit_num;
		case 'p':
			alt = 1;
			v = (u64)va_arg(ap, void *);
			goto hex;
		case 'x':
		case 'X':
			v = longs ? va_arg(ap, u64) : va_arg(ap, unsigned int);
hex:
			do
				tmp[n++] = (*fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef")[v & 15];
			while (v >>= 4);
emit_num: {
			char out[26];
			int len = 0;

			const char *prefix = neg ? "-" : (*fmt == 'x' || *fmt == 'X' || *fmt == 'p') && alt ? "0x" : "";

			if (pad == '0') {
				for (; *prefix; prefix++, width--)
					sink_put(s, *prefix);
			} else {
				for (; *prefix; prefix++)
					out[len++] = *prefix;
			}
			while (n)
				out[len++] = tmp[--n];
			put_padded(s, out, (u64)len, width, left, pad);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			put_padded(s, str, tv_strlen(str), width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(s, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			sink_put(s, '%');
			break;
		case '\0':
			return;
		default:
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
	}
}

int tv_printf(const char *fmt, ...)
{
	struct sink s = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vformat(&s, fmt, ap);
	va_end(ap);
	return (int)s.len;
}

static int tv_vsnprintf(char *buf, u64 size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };

	vformat(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int tv_snprintf(char *buf, u64 size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = tv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- platform ---- */

__noreturn void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

__noreturn void poweroff(void)
{
	outw(ACPI_PM1A_CNT, (5 << 10) | (1 << 13)); /* SLP_TYP = 5 (S5), SLP_EN */
	for (volatile int i = 0; i < 1000000; i++)
		;
	tv_printf("%s: poweroff: still running after the ACPI S5 write; halting\n", tv_test_name);
	halt_forever();
}

__noreturn void reset(void)
{
	outb(RESET_PORT, 0x06);
	halt_forever();
}

const char *cmdline(void)
{
	u32 p = *(const u32 *)(tv_boot_params + BP_CMD_LINE_PTR);

	return p ? (const char *)(uptr)p : "";
}

u64 cmdline_u64(const char *key, u64 def)
{
	const char *c = cmdline();
	u64 klen = tv_strlen(key);

	for (const char *p = c; *p; p++) {
		if ((p != c && p[-1] != ' ') || tv_strncmp(p, key, klen) || p[klen] != '=')
			continue;
		p += klen + 1;
		u64 v = 0, base = 10;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			base = 16, p += 2;
		for (;; p++) {
			int d;

			if (*p >= '0' && *p <= '9')
				d = *p - '0';
			else if (base == 16 && *p >= 'a' && *p <= 'f')
				d = *p - 'a' + 10;
			else if (base == 16 && *p >= 'A' && *p <= 'F')
				d = *p - 'A' + 10;
			else
				break;
			v = v * base + (u64)d;
		}
		return v;
	}
	return def;
}

int e820_count(void)
{
	int n = tv_boot_params[BP_E820_ENTRIES];

	return n > 128 ? 128 : n;
}

const struct e820_entry *e820_entry(int i)
{
	return (const struct e820_entry *)(tv_boot_params + BP_E820_TABLE) + i;
}

/* ---- verdicts ---- */

static int verdict_printed;
static int check_failures;
static char first_failure[160];

__noreturn void tv_pass(void)
{
	if (!verdict_printed) {
		verdict_printed = 1;
		tv_printf("TV-TEST %s: PASS\n", tv_test_name);
	}
	poweroff();
}

__noreturn void tv_fail(const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	tv_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!verdict_printed) {
		verdict_printed = 1;
		tv_printf("TV-TEST %s: FAIL %s\n", tv_test_name, reason);
	}
	poweroff();
}

int tv_check(int cond, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	tv_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	tv_printf("%s:   %s: %s\n", tv_test_name, cond ? "ok" : "FAIL", what);
	if (!cond && !check_failures++)
		tv_snprintf(first_failure, sizeof(first_failure), "%s", what);
	return cond;
}

int tv_failures(void)
{
	return check_failures;
}

__noreturn void tv_finish(void)
{
	if (!check_failures)
		tv_pass();
	if (check_failures == 1)
		tv_fail("%s", first_failure);
	tv_fail("%s (and %d more failed checks)", first_failure, check_failures - 1);
}

/* ---- time ---- */

static u64 tsc_hz_value;
static int tsc_calibrated;

u64 tsc_hz(void)
{
	if (tsc_calibrated)
		return tsc_hz_value;
	tsc_calibrated = 1;

	/* Start at a PM timer edge; give up if it does not move at all. */
	u32 prev = pm_timer_read(), now;
	u64 same = 0;

	while ((now = pm_timer_read()) == prev)
		if (++same > 2000000) {
			tv_printf("%s: tsc: the ACPI PM timer at port %#x does not tick (reads %#x)\n",
				  tv_test_name, ACPI_PM_TMR, prev);
			return 0;
		}
	u64 t0 = rdtsc_ordered();
	u64 ticks = 0;
	const u64 target = ACPI_PM_TMR_HZ / 20; /* 50 ms */

	prev = now;
	same = 0;
	while (ticks < target) {
		now = pm_timer_read();
		if (now == prev) {
			if (++same > 2000000) {
				tv_printf("%s: tsc: the ACPI PM timer stopped at %#x\n", tv_test_name, now);
				return 0;
			}
			continue;
		}
		same = 0;
		u32 d = now - prev;

		/* Read often, a 32-bit timer never moves by 2^31; a 24-bit one wrapped. */
		if (d & 0x80000000u)
			d &= 0xffffff;
		ticks += d;
		prev = now;
	}
	u64 t1 = rdtsc_ordered();

	tsc_hz_value = (t1 - t0) * ACPI_PM_TMR_HZ / ticks;
	tv_printf("%s: tsc: %llu kHz (%llu TSC ticks in %llu PM-timer ticks)\n", tv_test_name,
		  tsc_hz_value / 1000, t1 - t0, ticks);
	return tsc_hz_value;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}

/* ---- faults on purpose ---- */

int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;
	int f;

	asm volatile("1:\trdmsr\n\t"
		     "xorl %[f], %[f]\n\t"
		     "jmp 3f\n"
		     "2:\tmovl $-1, %[f]\n"
		     "3:\n\t" TV_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), [f] "=&r"(f)
		     : "c"(msr)
		     : "memory");
	if (!f)
		*val = ((u64)hi << 32) | lo;
	return f;
}

int wrmsr_safe(u32 msr, u64 val)
{
	int f;

	asm volatile("1:\twrmsr\n\t"
		     "xorl %[f], %[f]\n\t"
		     "jmp 3f\n"
		     "2:\tmovl $-1, %[f]\n"
		     "3:\n\t" TV_EXTABLE(1b, 2b)
		     : [f] "=&r"(f)
		     : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return f;
}

int xsetbv_safe(u32 index, u64 val)
{
	int f;

	asm volatile("1:\txsetbv\n\t"
		     "xorl %[f], %[f]\n\t"
		     "jmp 3f\n"
		     "2:\tmovl $-1, %[f]\n"
		     "3:\n\t" TV_EXTABLE(1b, 2b)
		     : [f] "=&r"(f)
		     : "c"(index), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return f;
}

/* ---- IDT and exceptions ---- */

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __attribute__((packed));

struct extable_entry {
	u64 insn, fixup;
};

extern const char tv_isr_stubs[];
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static tv_handler_t handlers[256];

void tv_set_handler(u8 vector, tv_handler_t h)
{
	handlers[vector] = h;
}

static void idt_install(void)
{
	u16 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (int v = 0; v < 256; v++) {
		u64 a = (u64)(uptr)(tv_isr_stubs + 16 * v);

		idt[v] = (struct idt_gate){
			.off_lo = (u16)a,
			.sel = cs,
			.ist = 0,
			.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
			.off_mid = (u16)(a >> 16),
			.off_hi = (u32)(a >> 32),
		};
	}
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)(uptr)idt };

	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static __noreturn void unexpected(struct tv_frame *f)
{
	static int nested;
	u64 cr2;

	if (nested++)
		halt_forever(); /* a fault while reporting one: nothing sensible left */
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "interrupt";

	tv_printf("%s: unexpected exception %llu (%s) error %#llx at rip %#llx rsp %#llx "
		  "rflags %#llx cr2 %#llx\n",
		  tv_test_name, f->vector, name, f->error, f->rip, f->rsp, f->rflags, cr2);
	tv_printf("%s:   rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
		  tv_test_name, f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi);
	if (tv_current_case)
		tv_printf("%s:   while: %s\n", tv_test_name, tv_current_case);
	tv_fail("unexpected exception %llu at %#llx", f->vector, f->rip);
}

void tv_isr_dispatch(struct tv_frame *f);
void tv_isr_dispatch(struct tv_frame *f)
{
	if (f->vector < 32) {
		for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++) {
			if (e->insn != f->rip)
				continue;
			tv_fault.vector = f->vector;
			tv_fault.error = f->error;
			tv_fault.rip = f->rip;
			tv_fault.count++;
			f->rip = e->fixup;
			return;
		}
	}
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	unexpected(f);
}

void tv_rt_main(const u8 *boot_params);
void tv_rt_main(const u8 *boot_params)
{
	tv_boot_params = boot_params;
	idt_install();
	tv_printf("\n%s: thinvisor test guest, boot_params at %p, cmdline \"%s\"\n", tv_test_name,
		  (const void *)boot_params, cmdline());
	guest_main(boot_params);
	tv_finish();
}
