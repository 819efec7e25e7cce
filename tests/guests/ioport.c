// SPDX-License-Identifier: MIT
/*
 * ioport.c: port I/O that thinvisor must emulate.
 *
 * Ports with nothing behind them (0x100, 0x2e8, 0x510, 0xfff0, the Super I/O
 * ports 0x2e/0x2f, the debug port 0xe9 - and PCI config data 0xcfc after
 * an address is written to 0xcf8) must read as all-ones in every width and
 * form (in imm8/dx; an 8/16-bit IN keeps the upper bits of RAX, a 32-bit one
 * zeroes them) and ignore writes. String I/O: rep insb/insw/insl from empty
 * ports into RAM (all 0xff, RCX/RDI updated), rep outsb to port 0x80 and
 * rep outsl to 0x100. The RTC: the seconds register read twice 1.2 s apart
 * (timed with the TSC, calibrated against the ACPI PM timer) must advance.
 */
#include "rt.h"

TV_TEST_NAME("ioport");

#define PREFILL 0x1122334455667788ull

static int nchecks, group_fails;

#define EXPECT(cond, ...)                                                                \
	do {                                                                             \
		if (cond)                                                                \
			nchecks++;                                                       \
		else if (group_fails++ < 8)                                              \
			tv_check(0, __VA_ARGS__);                                        \
	} while (0)

/* IN through DX, with RAX prefilled to see what the emulation keeps. */
static u64 in_dx(u16 port, int size)
{
	u64 rax = PREFILL;

	if (size == 1)
		asm volatile("inb %%dx, %%al" : "+a"(rax) : "d"(port));
	else if (size == 2)
		asm volatile("inw %%dx, %%ax" : "+a"(rax) : "d"(port));
	else
		asm volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(port));
	return rax;
}

static void out_dx(u16 port, int size, u32 v)
{
	if (size == 1)
		asm volatile("outb %%al, %%dx" : : "a"(v), "d"(port));
	else if (size == 2)
		asm volatile("outw %%ax, %%dx" : : "a"(v), "d"(port));
	else
		asm volatile("outl %%eax, %%dx" : : "a"(v), "d"(port));
}

static u64 expect_in(int size)
{
	return size == 1 ? (PREFILL & ~0xffull) | 0xff
	       : size == 2 ? (PREFILL & ~0xffffull) | 0xffff
			   : 0xffffffffull;
}

/* The imm8 forms need the port number at compile time. */
#define IN_IMM(port, rax_out)                                                             \
	do {                                                                             \
		u64 b_ = PREFILL, w_ = PREFILL, l_ = PREFILL;                            \
		asm volatile("inb $" #port ", %%al" : "+a"(b_));                         \
		asm volatile("inw $" #port ", %%ax" : "+a"(w_));                         \
		asm volatile("inl $" #port ", %%eax" : "+a"(l_));                        \
		rax_out[0] = b_;                                                         \
		rax_out[1] = w_;                                                         \
		rax_out[2] = l_;                                                         \
	} while (0)

#define OUT_IMM(port)                                                                    \
	asm volatile("outb %%al, $" #port "\n\toutw %%ax, $" #port "\n\toutl %%eax, $" #port \
		     : : "a"(0x5a5a5a5au))

static void test_port(u16 port, const char *what)
{
	static const int sizes[] = { 1, 2, 4 };
	static const u32 writes[] = { 0x00, 0x5a5a5a5a, 0xffffffff };

	for (unsigned s = 0; s < 3; s++) {
		u64 v = in_dx(port, sizes[s]);

		EXPECT(v == expect_in(sizes[s]), "in%c %#x (%s): rax %#llx, expected %#llx",
		       "bwl"[s], port, what, v, expect_in(sizes[s]));
	}
	for (unsigned s = 0; s < 3; s++)
		for (unsigned w = 0; w < ARRAY_SIZE(writes); w++) {
			out_dx(port, sizes[s], writes[w]);
			u64 v = in_dx(port, 4);

			EXPECT(v == 0xffffffffull, "out%c %#x, %#x (%s): reads back %#llx", "bwl"[s],
			       writes[w], port, what, v);
		}
}

static void check_imm(const u64 *r, u16 port, const char *what)
{
	for (int s = 0; s < 3; s++)
		EXPECT(r[s] == expect_in(1 << s), "in%c $%#x (%s, imm8 form): rax %#llx, expected %#llx",
		       "bwl"[s], port, what, r[s], expect_in(1 << s));
}

static void test_empty_ports(void)
{
	static const struct {
		u16 port;
		const char *what;
	} ports[] = {
		{ 0x100, "nothing" },	    { 0x2e8, "COM4 (absent)" }, { 0x510, "QEMU fw_cfg (absent)" },
		{ 0xfff0, "top of I/O space" }, { 0x2e, "Super I/O index (absent)" },
		{ 0x2f, "Super I/O data (absent)" }, { 0xe9, "debug port (absent)" },
	};
	u64 r[3];

	for (unsigned i = 0; i < ARRAY_SIZE(ports); i++) {
		int n0 = nchecks;

		group_fails = 0;
		tv_current_case = ports[i].what;
		test_port(ports[i].port, ports[i].what);
		switch (ports[i].port) {
		case 0x2e:
			OUT_IMM(0x2e);
			IN_IMM(0x2e, r);
			check_imm(r, 0x2e, ports[i].what);
			break;
		case 0x2f:
			OUT_IMM(0x2f);
			IN_IMM(0x2f, r);
			check_imm(r, 0x2f, ports[i].what);
			break;
		case 0xe9:
			OUT_IMM(0xe9);
			IN_IMM(0xe9, r);
			check_imm(r, 0xe9, ports[i].what);
			break;
		}
		tv_check(group_fails == 0, "port %#x (%s): %d accesses read all-ones/were ignored, %d not",
			 ports[i].port, ports[i].what, nchecks - n0, group_fails);
	}
	tv_current_case = NULL;
}

/* The 8259s exist as registers: a mask written is read back (how Linux probes them). */
static void test_pic_registers(void)
{
	outb(0xa1, 0xff);
	outb(0x21, 0xfb);
	u8 m = inb(0x21), sl = inb(0xa1);

	tv_check(m == 0xfb && sl == 0xff, "8259 masks read back (master %#x, slave %#x)", m, sl);
}

static void test_pci_config(void)
{
	group_fails = 0;
	tv_current_case = "PCI config mechanism #1";
	outl(0xcf8, 0x80000000u); /* bus 0, device 0, function 0, register 0: vendor/device ID */
	u64 l = in_dx(0xcfc, 4), w = in_dx(0xcfe, 2), b = in_dx(0xcfd, 1);

	outl(0xcf8, 0);
	EXPECT(l == expect_in(4), "inl 0xcfc after 0x80000000 -> 0xcf8: %#llx (a PCI device?)", l);
	EXPECT(w == expect_in(2), "inw 0xcfe after 0x80000000 -> 0xcf8: rax %#llx", w);
	EXPECT(b == expect_in(1), "inb 0xcfd after 0x80000000 -> 0xcf8: rax %#llx", b);
	tv_current_case = NULL;
	tv_check(group_fails == 0, "PCI config space of 00:00.0 reads all-ones (%#llx)", l);
}

static u8 buf[64] __attribute__((aligned(16)));

static void test_string_io(void)
{
	u64 rcx, rdi, rsi;

	group_fails = 0;
	tv_current_case = "rep insb";
	memset(buf, 0, sizeof(buf));
	asm volatile("cld\n\trep insb" : "=c"(rcx), "=D"(rdi) : "c"(8ull), "D"(buf), "d"(0x100)
		     : "memory");
	EXPECT(rcx == 0 && rdi == (u64)(uptr)buf + 8, "rep insb: rcx %llu rdi %#llx after", rcx, rdi);
	for (int i = 0; i < 9; i++)
		EXPECT(buf[i] == (i < 8 ? 0xff : 0), "rep insb from 0x100: byte %d is %#x", i, buf[i]);

	tv_current_case = "rep insw";
	memset(buf, 0, sizeof(buf));
	asm volatile("cld\n\trep insw" : "=c"(rcx), "=D"(rdi) : "c"(4ull), "D"(buf), "d"(0x2e8)
		     : "memory");
	EXPECT(rcx == 0 && rdi == (u64)(uptr)buf + 8, "rep insw: rcx %llu rdi %#llx after", rcx, rdi);
	for (int i = 0; i < 9; i++)
		EXPECT(buf[i] == (i < 8 ? 0xff : 0), "rep insw from 0x2e8: byte %d is %#x", i, buf[i]);

	tv_current_case = "rep insl";
	memset(buf, 0, sizeof(buf));
	asm volatile("cld\n\trep insl" : "=c"(rcx), "=D"(rdi) : "c"(2ull), "D"(buf), "d"(0xfff0)
		     : "memory");
	EXPECT(rcx == 0 && rdi == (u64)(uptr)buf + 8, "rep insl: rcx %llu rdi %#llx after", rcx, rdi);
	for (int i = 0; i < 9; i++)
		EXPECT(buf[i] == (i < 8 ? 0xff : 0), "rep insl from 0xfff0: byte %d is %#x", i, buf[i]);

	tv_current_case = "rep outsb";
	for (int i = 0; i < 16; i++)
		buf[i] = (u8)(0xa0 + i);
	asm volatile("cld\n\trep outsb" : "=c"(rcx), "=S"(rsi) : "c"(8ull), "S"(buf), "d"(0x80)
		     : "memory");
	EXPECT(rcx == 0 && rsi == (u64)(uptr)buf + 8, "rep outsb: rcx %llu rsi %#llx after", rcx, rsi);

	tv_current_case = "rep outsl";
	asm volatile("cld\n\trep outsl" : "=c"(rcx), "=S"(rsi) : "c"(2ull), "S"(buf), "d"(0x100)
		     : "memory");
	EXPECT(rcx == 0 && rsi == (u64)(uptr)buf + 8, "rep outsl: rcx %llu rsi %#llx after", rcx, rsi);
	EXPECT(inl(0x100) == 0xffffffffu, "port 0x100 after rep outsl reads %#x", inl(0x100));
	tv_current_case = NULL;
	tv_check(group_fails == 0, "string I/O: rep ins{b,w,l} give 0xff bytes, rep outs{b,l} ignored");
}

/* ---- RTC ---- */

/* Seconds (binary) once no update is in progress; -1 if the RTC looks broken. */
static int rtc_seconds(u8 *raw)
{
	int i;

	for (i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
		cpu_relax();
	if (i == 1000000)
		return -1;
	u8 s = cmos_read(0x00), b = cmos_read(0x0b);

	*raw = s;
	if (!(b & 0x04)) { /* BCD */
		if ((s & 0x0f) > 9 || (s >> 4) > 5)
			return -1;
		return (s >> 4) * 10 + (s & 0x0f);
	}
	return s < 60 ? s : -1;
}

static void test_rtc(void)
{
	u8 b = cmos_read(0x0b), raw1 = 0, raw2 = 0;

	tv_printf("ioport: RTC status A %#x B %#x (%s, %s), time %02x:%02x:%02x (raw)\n",
		  cmos_read(0x0a), b, b & 0x04 ? "binary" : "BCD", b & 0x02 ? "24h" : "12h",
		  cmos_read(0x04), cmos_read(0x02), cmos_read(0x00));
	if (!tv_check(tsc_hz() != 0, "TSC calibrated against the ACPI PM timer (port 0x608)"))
		return;
	tv_current_case = "RTC";
	int s1 = rtc_seconds(&raw1);
	u64 t0 = rdtsc();

	udelay(1200000);
	int s2 = rtc_seconds(&raw2);
	u64 us = tsc_to_us(rdtsc() - t0);

	tv_current_case = NULL;
	tv_printf("ioport: RTC seconds %#x, then %#x %llu us later\n", raw1, raw2, us);
	if (!tv_check(s1 >= 0 && s2 >= 0, "RTC seconds are valid (%#x, %#x)", raw1, raw2))
		return;
	int d = (s2 - s1 + 60) % 60;

	tv_check(d >= 1 && d <= 3, "RTC seconds advanced by %d (1 or 2 expected) in 1.2 s", d);
}

void guest_main(const u8 *boot_params)
{
	test_empty_ports();
	test_pci_config();
	test_pic_registers();
	test_string_io();
	test_rtc();
	tv_printf("ioport: %d port accesses as expected\n", nchecks);
}
