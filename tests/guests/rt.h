/* SPDX-License-Identifier: MIT */
/*
 * rt.h: the tiny runtime of thinvisor's freestanding test guests.
 *
 * A guest program is an ELF64 linked at 0x100000 (tests/guests/guest.ld) that
 * thinvisor starts in 64-bit mode with an identity map of the low 4 GiB and
 * RSI = the Linux boot_params ("zero page"). start.S sets a stack and calls
 * tv_rt_main(), which installs an IDT and then calls the program's
 * guest_main(). Each program names itself once with TV_TEST_NAME("name") and
 * ends with exactly one verdict line, "TV-TEST name: PASS" or
 * "TV-TEST name: FAIL reason", printed by tv_pass()/tv_fail()/tv_finish().
 */
#ifndef TV_GUEST_RT_H
#define TV_GUEST_RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned long uptr;

#define NULL ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define barrier() asm volatile("" ::: "memory")

/* Each program defines its name, used in every verdict line. */
extern const char tv_test_name[];
#define TV_TEST_NAME(n) const char tv_test_name[] = n

/* The program's entry, called with interrupts off and the IDT installed. */
void guest_main(const u8 *boot_params);

/* ---- platform constants (the VM contract) ---- */
#define UART_BASE 0x3f8
#define UART_LSR (UART_BASE + 5)
#define UART_LSR_THRE 0x20
#define ACPI_PM1A_CNT 0x604
#define ACPI_PM_TMR 0x608
#define ACPI_PM_TMR_HZ 3579545ull
#define RESET_PORT 0xcf9
#define LAPIC_BASE 0xfee00000ul
#define IOAPIC_BASE 0xfec00000ul

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_IRR 0x200 /* eight 32-bit registers, 0x10 apart */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER 0xc0000080

/* Boot-params (zero page) offsets. */
#define BP_E820_ENTRIES 0x1e8
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define E820_RAM 1

/* ---- port I/O ---- */
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* CMOS/RTC registers through the index and data ports. */
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
static inline u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}
static inline void cmos_write(u8 reg, u8 v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

/* ---- CPU helpers ---- */
static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void hlt(void) { asm volatile("hlt" ::: "memory"); }
/* sti's one-instruction shadow makes this free of the lost-wakeup race. */
static inline void sti_hlt(void) { asm volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* rdtsc that is not executed before earlier instructions complete. */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 read_cr0(void)
{
	u64 v;
	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline u64 read_cr4(void)
{
	u64 v;
	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
#define CR4_OSXSAVE (1ull << 18)
static inline u64 read_rflags(void)
{
	u64 v;
	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* ---- faults the program expects ----
 * An instruction that may fault is listed in the exception table with the
 * address to resume at (TV_EXTABLE(fault_label, resume_label) inside the asm).
 * The exception handler records the fault in tv_fault and resumes there, so
 * the instruction is skipped. rdmsr_safe()/wrmsr_safe()/xsetbv_safe() return 0,
 * or -1 after a fault (vector and error code in tv_fault).
 */
struct tv_fault {
	u64 count;  /* expected faults taken so far */
	u64 vector;
	u64 error;
	u64 rip;
};
extern volatile struct tv_fault tv_fault;

#define TV_EXTABLE(from, to)                                                                   \
	".pushsection __ex_table, \"a\"\n\t.balign 8\n\t.quad " #from ", " #to "\n\t.popsection\n\t"

int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
int xsetbv_safe(u32 index, u64 val);

/* ---- interrupts ---- */
struct tv_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
typedef void (*tv_handler_t)(struct tv_frame *f);
/* Route a vector (typically >= 32) to a handler; NULL makes it unexpected again. */
void tv_set_handler(u8 vector, tv_handler_t h);
/* A short label of what the program is doing, printed with an unexpected exception. */
extern const char *volatile tv_current_case;

/* ---- serial output ---- */
void tv_putc(char c);
void tv_puts(const char *s);
int tv_printf(const char *fmt, ...) __printf(1, 2);
int tv_snprintf(char *buf, u64 size, const char *fmt, ...) __printf(3, 4);

/* ---- verdicts ---- */
/* Prints "TV-TEST name: PASS" and powers off. */
__noreturn void tv_pass(void);
/* Prints "TV-TEST name: FAIL <reason>" and powers off. */
__noreturn void tv_fail(const char *fmt, ...) __printf(1, 2);
/*
 * Soft checks: prints "  ok: <what>" or "  FAIL: <what>"; the first failed
 * check becomes the reason of the verdict tv_finish() prints. Returns cond.
 */
int tv_check(int cond, const char *fmt, ...) __printf(2, 3);
int tv_failures(void);
/* The verdict from the checks so far (PASS if none failed), then poweroff. */
__noreturn void tv_finish(void);

/* ---- platform ---- */
/* ACPI S5 via PM1a_CNT; halts forever if the write did not end the VM. */
__noreturn void poweroff(void);
/* Reset through port 0xcf9. */
__noreturn void reset(void);
__noreturn void halt_forever(void);

extern const u8 *tv_boot_params;
/* The kernel command line from the zero page ("" if none). */
const char *cmdline(void);
/* The value of "key=value" on the command line as a number, or def. */
u64 cmdline_u64(const char *key, u64 def);

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));
int e820_count(void);
const struct e820_entry *e820_entry(int i);

static inline u32 lapic_read(u32 reg) { return *(volatile u32 *)(LAPIC_BASE + reg); }
static inline void lapic_write(u32 reg, u32 v) { *(volatile u32 *)(LAPIC_BASE + reg) = v; }

/* ---- time ---- */
/* Reads the ACPI PM timer (3.579545 MHz). */
static inline u32 pm_timer_read(void) { return inl(ACPI_PM_TMR); }
/*
 * The TSC frequency in Hz, measured once against the ACPI PM timer over about
 * 50 ms (accepts a 24- or 32-bit PM timer). 0 if the PM timer does not tick.
 */
u64 tsc_hz(void);
/* Busy-waits (interrupt state unchanged); needs a calibrated TSC. */
void udelay(u64 us);
static inline u64 us_to_tsc(u64 us) { return tsc_hz() * us / 1000000ull; }
static inline u64 tsc_to_us(u64 t)
{
	u64 hz = tsc_hz();
	return hz ? t * 1000000ull / hz : 0;
}

/* ---- small string helpers ---- */
u64 tv_strlen(const char *s);
int tv_strcmp(const char *a, const char *b);
int tv_strncmp(const char *a, const char *b, u64 n);
int tv_memcmp(const void *a, const void *b, u64 n);
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

#endif
