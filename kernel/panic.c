// SPDX-License-Identifier: MIT
/*
 * panic.c: the host panic screen. Prints the reason, the registers when a
 * CPU exception caused it, and a symbolized backtrace; stops the other CPUs;
 * then halts, or resets/powers off when the panic= option asks for it.
 */
#include <stdarg.h>
#include <tv/arch.h>
#include <tv/cmdline.h>
#include <tv/ksyms.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/power.h>
#include <tv/printf.h>

static volatile u32 panicking;

bool panic_in_progress(void)
{
	return panicking != 0;
}

static void print_frame(u64 addr, void *ctx)
{
	u64 off = 0;
	const char *name = ksym_lookup(addr, &off);

	(void)ctx;
	if (name)
		pr_err("  [<%016llx>] %s+%#llx\n", (unsigned long long)addr, name,
		       (unsigned long long)off);
	else
		pr_err("  [<%016llx>] ?\n", (unsigned long long)addr);
}

/* Claim the panic; a second CPU or a nested fault only stops itself. */
static void begin(void)
{
	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		arch_halt_forever();
	log_force_unlock();
	log_set_level(LOG_DBG);
	arch_stop_other_cpus();
}

static void __noreturn finish(void)
{
	const char *action = cmdline_get("panic");

	pr_err("---[ end of thinvisor panic ]---\n");
	if (action && action[0] == 'r')
		power_reset();
	if (action && action[0] == 'p')
		power_off();
	pr_err("system halted\n");
	arch_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("\n*** thinvisor PANIC: %s\n", msg);
	pr_err("backtrace:\n");
	arch_backtrace((u64)(uintptr_t)__builtin_frame_address(0), print_frame, NULL);
	finish();
}

void panic_trap(const struct trap_frame *tf, const char *what)
{
	u64 rip, rbp;

	begin();
	pr_err("\n*** thinvisor PANIC: CPU exception %s in the host\n", what);
	arch_dump_frame(tf);
	arch_trap_frame_pc(tf, &rip, &rbp);
	pr_err("backtrace:\n");
	print_frame(rip, NULL);
	arch_backtrace(rbp, print_frame, NULL);
	finish();
}

/* Called by stack-protector checks (ours and libfdt.a's): the stack is corrupt. */
void __noreturn __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("__stack_chk_fail: stack canary overwritten");
}
