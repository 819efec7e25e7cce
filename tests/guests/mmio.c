// SPDX-License-Identifier: MIT
/*
 * mmio.c: memory accesses that thinvisor must emulate.
 *
 * 1. Guest-physical addresses that are neither RAM nor a device must read as
 *    all-ones and ignore writes, whatever instruction touches them: mov of
 *    every width into legacy and REX registers (partial-register rules
 *    included: an 8/16-bit load keeps the upper bits, a 32-bit one zeroes
 *    them), movzx/movsx, ALU instructions with a memory source or destination
 *    (flags checked), xchg, test, cmp, string instructions (rep movsb both
 *    ways and backwards, rep stosd, lods, movsq) and the moffs form of mov.
 *    The holes: 0xd0000000, 0xfed40000, 0xe0000000 + offsets, and the first
 *    page above the end of RAM in the e820.
 * 2. The local APIC: the version register read through several instruction
 *    forms (version 0x1X, max LVT >= 4), the APIC ID (0), and the TPR written
 *    and read back through several instruction forms.
 * 3. The I/O APIC version register through IOREGSEL/IOWIN.
 *
 * Command line: mmio.extra=ADDR adds one more hole to test (e.g. the ECAM of
 * a bus that does not exist, when trying the program on bare QEMU).
 */
#include "rt.h"

TV_TEST_NAME("mmio");

#define F_CF 0x001ull
#define F_ZF 0x040ull
#define F_SF 0x080ull
#define F_OF 0x800ull
#define F_ALL (F_CF | F_ZF | F_SF | F_OF)

#define PREFILL "0x1122334455667788"
#define ONES ~0ull

struct res {
	u64 v, fl;
};

/*
 * One instruction form: `body` runs with the target address in %[a], leaves
 * its result in %[v]; the flags right after it are returned in .fl.
 */
#define CASE(fn, body, ...)                                                              \
	static struct res fn(u64 a)                                                      \
	{                                                                                \
		struct res r_;                                                           \
		asm volatile(body "\n\tpushfq\n\tpopq %[fl]"                             \
			     : [v] "=&r"(r_.v), [fl] "=&r"(r_.fl)                        \
			     : [a] "r"(a)                                                \
			     : "memory", "cc", __VA_ARGS__);                             \
		return r_;                                                               \
	}

/* ---- loads ---- */
CASE(ld8_al, "movq $" PREFILL ", %%rax\n\tmovq %[a], %%rsi\n\tmovb (%%rsi), %%al\n\t"
	     "movq %%rax, %[v]", "rax", "rsi")
CASE(ld8_ah, "movq $" PREFILL ", %%rax\n\tmovq %[a], %%rdi\n\tmovb (%%rdi), %%ah\n\t"
	     "movq %%rax, %[v]", "rax", "rdi")
CASE(ld8_sil, "movq $" PREFILL ", %%rsi\n\tmovq %[a], %%rcx\n\tmovb (%%rcx), %%sil\n\t"
	      "movq %%rsi, %[v]", "rsi", "rcx")
CASE(ld8_r9b, "movq $" PREFILL ", %%r9\n\tmovq %[a], %%r13\n\tmovb (%%r13), %%r9b\n\t"
	      "movq %%r9, %[v]", "r9", "r13")
CASE(ld16_r10w, "movq $" PREFILL ", %%r10\n\tmovq %[a], %%r12\n\tmovw (%%r12), %%r10w\n\t"
		"movq %%r10, %[v]", "r10", "r12")
CASE(ld16_dx, "movq $" PREFILL ", %%rdx\n\tmovq %[a], %%r8\n\tmovw (%%r8), %%dx\n\t"
	      "movq %%rdx, %[v]", "rdx", "r8")
CASE(ld32_r11d, "movq $" PREFILL ", %%r11\n\tmovq %[a], %%rbx\n\tmovl (%%rbx), %%r11d\n\t"
		"movq %%r11, %[v]", "r11", "rbx")
CASE(ld32_eax_disp, "movq $" PREFILL ", %%rax\n\tleaq 0x100(%[a]), %%rdi\n\t"
		    "movl -0x100(%%rdi), %%eax\n\tmovq %%rax, %[v]", "rax", "rdi")
CASE(ld64_r14, "movq $0, %%r14\n\tmovq %[a], %%r15\n\tmovq (%%r15), %%r14\n\tmovq %%r14, %[v]",
     "r14", "r15")
CASE(ld64_sib, "movq $0, %%r8\n\tleaq -24(%[a]), %%rdx\n\tmovq $2, %%rcx\n\t"
	       "movq 8(%%rdx,%%rcx,8), %%r8\n\tmovq %%r8, %[v]", "r8", "rdx", "rcx")
CASE(ld64_sib_r12, "movq $0, %%rax\n\tmovq %[a], %%r12\n\tmovq (%%r12), %%rax\n\t"
		   "movq %%rax, %[v]", "rax", "r12")
CASE(movzbl, "movq $" PREFILL ", %%r9\n\tmovq %[a], %%rsi\n\tmovzbl (%%rsi), %%r9d\n\t"
	     "movq %%r9, %[v]", "r9", "rsi")
CASE(movzwq, "movq $" PREFILL ", %%rcx\n\tmovq %[a], %%r10\n\tmovzwq (%%r10), %%rcx\n\t"
	     "movq %%rcx, %[v]", "rcx", "r10")
CASE(movsbq, "movq $0, %%r15\n\tmovq %[a], %%rdi\n\tmovsbq (%%rdi), %%r15\n\tmovq %%r15, %[v]",
     "r15", "rdi")
CASE(movswl, "movq $" PREFILL ", %%rbx\n\tmovq %[a], %%r11\n\tmovswl (%%r11), %%ebx\n\t"
	     "movq %%rbx, %[v]", "rbx", "r11")
CASE(movsbw, "movq $" PREFILL ", %%r10\n\tmovq %[a], %%rdx\n\tmovsbw (%%rdx), %%r10w\n\t"
	     "movq %%r10, %[v]", "r10", "rdx")
CASE(movslq, "movq $0, %%rax\n\tmovq %[a], %%r14\n\tmovslq (%%r14), %%rax\n\tmovq %%rax, %[v]",
     "rax", "r14")

/* ---- ALU with a memory source ---- */
CASE(add32, "movq $1, %%rax\n\tmovq %[a], %%rsi\n\taddl (%%rsi), %%eax\n\tmovq %%rax, %[v]",
     "rax", "rsi")
CASE(or64_r8, "movq $0x1234, %%r8\n\tmovq %[a], %%r9\n\torq (%%r9), %%r8\n\tmovq %%r8, %[v]",
     "r8", "r9")
CASE(and16, "movq $" PREFILL ", %%rdx\n\tmovw $0x5a5a, %%dx\n\tmovq %[a], %%rbx\n\t"
	    "andw (%%rbx), %%dx\n\tmovq %%rdx, %[v]", "rdx", "rbx")
CASE(xor8, "movq $0x0f, %%rcx\n\tmovq %[a], %%rdi\n\txorb (%%rdi), %%cl\n\tmovq %%rcx, %[v]",
     "rcx", "rdi")
CASE(sub32_r12, "movq $0, %%r12\n\tmovq %[a], %%r13\n\tsubl (%%r13), %%r12d\n\t"
		"movq %%r12, %[v]", "r12", "r13")
CASE(cmp_imm, "movq %[a], %%rsi\n\tmovq $7, %[v]\n\tcmpl $-1, (%%rsi)", "rsi")
CASE(cmp8_reg, "movq $0xff, %%rax\n\tmovq %[a], %%r8\n\tmovq $7, %[v]\n\tcmpb %%al, (%%r8)",
     "rax", "r8")
CASE(cmp64_mem, "movq $0, %%r11\n\tmovq %[a], %%rdx\n\tmovq $7, %[v]\n\tcmpq (%%rdx), %%r11",
     "r11", "rdx")
CASE(test_imm, "movq %[a], %%r10\n\tmovq $7, %[v]\n\ttestl $0x80000000, (%%r10)", "r10")
CASE(test8_reg, "movq $0, %%rax\n\tmovq %[a], %%rcx\n\tmovq $7, %[v]\n\ttestb %%al, (%%rcx)",
     "rax", "rcx")
CASE(xchg64, "movq $0x55, %%r10\n\tmovq %[a], %%rsi\n\txchgq %%r10, (%%rsi)\n\t"
	     "movq %%r10, %[v]", "r10", "rsi")
CASE(xchg32, "movq $" PREFILL ", %%rbx\n\tmovq %[a], %%rdi\n\txchgl %%ebx, (%%rdi)\n\t"
	     "movq %%rbx, %[v]", "rbx", "rdi")

/* ---- ALU with a memory destination (read-modify-write; the write is lost) ---- */
CASE(rmw_add_imm, "movq %[a], %%rsi\n\tmovq $7, %[v]\n\taddl $1, (%%rsi)", "rsi")
CASE(rmw_or8, "movq %[a], %%r9\n\tmovq $7, %[v]\n\torb $1, (%%r9)", "r9")
CASE(rmw_and64, "movq $0xf0f0, %%rax\n\tmovq %[a], %%rdx\n\tmovq $7, %[v]\n\tandq %%rax, (%%rdx)",
     "rax", "rdx")
CASE(rmw_xor16, "movq %[a], %%r14\n\tmovq $7, %[v]\n\txorw $0x1234, (%%r14)", "r14")
CASE(rmw_inc32, "movq %[a], %%rbx\n\tmovq $7, %[v]\n\tincl (%%rbx)", "rbx")
CASE(rmw_not8, "movq %[a], %%rcx\n\tmovq $7, %[v]\n\tnotb (%%rcx)", "rcx")
CASE(rmw_lock_add, "movq %[a], %%r15\n\tmovq $7, %[v]\n\tlock addl $0, (%%r15)", "r15")

/* ---- stores (must be dropped: a later load still sees all-ones) ---- */
CASE(st8_imm, "movq %[a], %%rsi\n\tmovq $7, %[v]\n\tmovb $0x12, (%%rsi)", "rsi")
CASE(st16_r9w, "movq $0x3456, %%r9\n\tmovq %[a], %%rdi\n\tmovq $7, %[v]\n\tmovw %%r9w, (%%rdi)",
     "r9", "rdi")
CASE(st32_r14d, "movq $0x789abcde, %%r14\n\tmovq %[a], %%r8\n\tmovq $7, %[v]\n\t"
		"movl %%r14d, (%%r8)", "r14", "r8")
CASE(st64_r15, "movq $0x0123456789abcdef, %%r15\n\tmovq %[a], %%rbx\n\tmovq $7, %[v]\n\t"
	       "movq %%r15, (%%rbx)", "r15", "rbx")
CASE(st32_imm_sib, "movq %[a], %%r12\n\tmovq $7, %[v]\n\tmovl $0x5a5a5a5a, (%%r12)", "r12")
CASE(st8_ah, "movq $0x4200, %%rax\n\tmovq %[a], %%rdx\n\tmovq $7, %[v]\n\tmovb %%ah, (%%rdx)",
     "rax", "rdx")

struct mcase {
	const char *name;
	struct res (*fn)(u64 a);
	u64 v;		/* expected %[v] */
	u64 flmask, fl; /* expected flags (bits in flmask) */
	int writes;	/* a store: read the location back afterwards */
};

static const struct mcase hole_cases[] = {
	{ "movb (%rsi),%al", ld8_al, 0x11223344556677ffull, 0, 0, 0 },
	{ "movb (%rdi),%ah", ld8_ah, 0x112233445566ff88ull, 0, 0, 0 },
	{ "movb (%rcx),%sil", ld8_sil, 0x11223344556677ffull, 0, 0, 0 },
	{ "movb (%r13),%r9b", ld8_r9b, 0x11223344556677ffull, 0, 0, 0 },
	{ "movw (%r12),%r10w", ld16_r10w, 0x112233445566ffffull, 0, 0, 0 },
	{ "movw (%r8),%dx", ld16_dx, 0x112233445566ffffull, 0, 0, 0 },
	{ "movl (%rbx),%r11d", ld32_r11d, 0xffffffffull, 0, 0, 0 },
	{ "movl -0x100(%rdi),%eax", ld32_eax_disp, 0xffffffffull, 0, 0, 0 },
	{ "movq (%r15),%r14", ld64_r14, ONES, 0, 0, 0 },
	{ "movq 8(%rdx,%rcx,8),%r8", ld64_sib, ONES, 0, 0, 0 },
	{ "movq (%r12),%rax", ld64_sib_r12, ONES, 0, 0, 0 },
	{ "movzbl (%rsi),%r9d", movzbl, 0xffull, 0, 0, 0 },
	{ "movzwq (%r10),%rcx", movzwq, 0xffffull, 0, 0, 0 },
	{ "movsbq (%rdi),%r15", movsbq, ONES, 0, 0, 0 },
	{ "movswl (%r11),%ebx", movswl, 0xffffffffull, 0, 0, 0 },
	{ "movsbw (%rdx),%r10w", movsbw, 0x112233445566ffffull, 0, 0, 0 },
	{ "movslq (%r14),%rax", movslq, ONES, 0, 0, 0 },
	{ "addl (%rsi),%eax", add32, 0, F_ALL, F_CF | F_ZF, 0 },
	{ "orq (%r9),%r8", or64_r8, ONES, F_ALL, F_SF, 0 },
	{ "andw (%rbx),%dx", and16, 0x1122334455665a5aull, F_ALL, 0, 0 },
	{ "xorb (%rdi),%cl", xor8, 0xf0, F_ALL, F_SF, 0 },
	{ "subl (%r13),%r12d", sub32_r12, 1, F_ALL, F_CF, 0 },
	{ "cmpl $-1,(%rsi)", cmp_imm, 7, F_ALL, F_ZF, 0 },
	{ "cmpb %al,(%r8)", cmp8_reg, 7, F_ALL, F_ZF, 0 },
	{ "cmpq (%rdx),%r11", cmp64_mem, 7, F_ALL, F_CF, 0 },
	{ "testl $0x80000000,(%r10)", test_imm, 7, F_ZF | F_SF | F_CF, F_SF, 0 },
	{ "testb %al,(%rcx)", test8_reg, 7, F_ZF | F_SF | F_CF, F_ZF, 0 },
	{ "xchgq %r10,(%rsi)", xchg64, ONES, 0, 0, 1 },
	{ "xchgl %ebx,(%rdi)", xchg32, 0xffffffffull, 0, 0, 1 },
	{ "addl $1,(%rsi)", rmw_add_imm, 7, F_ALL, F_CF | F_ZF, 1 },
	{ "orb $1,(%r9)", rmw_or8, 7, F_ALL, F_SF, 1 },
	{ "andq %rax,(%rdx)", rmw_and64, 7, F_ALL, 0, 1 },
	{ "xorw $0x1234,(%r14)", rmw_xor16, 7, F_ALL, F_SF, 1 },
	{ "incl (%rbx)", rmw_inc32, 7, F_ZF | F_SF | F_OF, F_ZF, 1 },
	{ "notb (%rcx)", rmw_not8, 7, 0, 0, 1 },
	{ "lock addl $0,(%r15)", rmw_lock_add, 7, F_ALL, F_SF, 1 },
	{ "movb $0x12,(%rsi)", st8_imm, 7, 0, 0, 1 },
	{ "movw %r9w,(%rdi)", st16_r9w, 7, 0, 0, 1 },
	{ "movl %r14d,(%r8)", st32_r14d, 7, 0, 0, 1 },
	{ "movq %r15,(%rbx)", st64_r15, 7, 0, 0, 1 },
	{ "movl $0x5a5a5a5a,(%r12)", st32_imm_sib, 7, 0, 0, 1 },
	{ "movb %ah,(%rdx)", st8_ah, 7, 0, 0, 1 },
};

static int nchecks, group_fails;

/*
 * A failed access is reported as a failed check; past the first few of a
 * group (one hole, one device) they are only counted, so that a systematic
 * failure does not flood the log.
 */
#define GROUP_REPORT_MAX 8
#define EXPECT(cond, ...)                                                                \
	do {                                                                             \
		if (cond)                                                                \
			nchecks++;                                                       \
		else if (group_fails++ < GROUP_REPORT_MAX)                               \
			tv_check(0, __VA_ARGS__);                                        \
	} while (0)

static void group_begin(void)
{
	group_fails = 0;
}

/* Ends a group: reports the failures not shown; returns whether all went well. */
static int group_end(void)
{
	if (group_fails > GROUP_REPORT_MAX)
		tv_printf("mmio:   ... and %d more failed accesses in this group\n",
			  group_fails - GROUP_REPORT_MAX);
	return group_fails == 0;
}

static u64 ld64(u64 a)
{
	return *(volatile u64 *)(uptr)a;
}

static void run_cases(u64 base, const char *what)
{
	static const u64 offsets[] = { 0x0, 0x40, 0x7f8, 0xff0 };
	char label[96];

	for (unsigned o = 0; o < ARRAY_SIZE(offsets); o++) {
		u64 a = base + offsets[o];

		for (unsigned i = 0; i < ARRAY_SIZE(hole_cases); i++) {
			const struct mcase *c = &hole_cases[i];

			tv_snprintf(label, sizeof(label), "%s at %#llx (%s)", c->name, a, what);
			tv_current_case = label;
			struct res r = c->fn(a);

			EXPECT(r.v == c->v, "%s: result %#llx, expected %#llx", label, r.v, c->v);
			EXPECT((r.fl & c->flmask) == c->fl, "%s: flags %#llx, expected %#llx in %#llx",
			       label, r.fl & c->flmask, c->fl, c->flmask);
			if (c->writes) {
				u64 back = ld64(a);

				EXPECT(back == ONES, "%s: read back %#llx after the write", label,
				       back);
			}
		}
	}
	tv_current_case = NULL;
}

/* ---- string instructions ---- */
static u8 ram[64] __attribute__((aligned(16)));

static void run_string_cases(u64 a, const char *what)
{
	u64 rcx, rsi, rdi;

	/* rep movsb: 16 bytes MMIO -> RAM */
	tv_current_case = "rep movsb from MMIO";
	memset(ram, 0, sizeof(ram));
	asm volatile("cld\n\trep movsb"
		     : "=c"(rcx), "=S"(rsi), "=D"(rdi)
		     : "c"(16ull), "S"(a), "D"(ram)
		     : "memory");
	EXPECT(rcx == 0 && rsi == a + 16 && rdi == (u64)(uptr)ram + 16,
	       "rep movsb MMIO->RAM at %#llx (%s): rcx %llu rsi %#llx rdi %#llx after", a, what,
	       rcx, rsi, rdi);
	for (int i = 0; i < 16; i++)
		EXPECT(ram[i] == 0xff, "rep movsb MMIO->RAM at %#llx (%s): byte %d is %#x", a, what,
		       i, ram[i]);
	EXPECT(ram[16] == 0, "rep movsb MMIO->RAM at %#llx (%s): wrote past 16 bytes", a, what);

	/* rep movsb backwards (DF=1): 16 bytes MMIO -> RAM */
	tv_current_case = "std; rep movsb from MMIO";
	memset(ram, 0, sizeof(ram));
	asm volatile("std\n\trep movsb\n\tcld"
		     : "=c"(rcx), "=S"(rsi), "=D"(rdi)
		     : "c"(16ull), "S"(a + 15), "D"(ram + 31)
		     : "memory");
	EXPECT(rcx == 0 && rsi == a - 1 && rdi == (u64)(uptr)ram + 15,
	       "std; rep movsb MMIO->RAM at %#llx (%s): rcx %llu rsi %#llx rdi %#llx after", a, what,
	       rcx, rsi, rdi);
	for (int i = 0; i < 32; i++)
		EXPECT(ram[i] == (i >= 16 ? 0xff : 0), "std; rep movsb at %#llx (%s): byte %d is %#x",
		       a, what, i, ram[i]);

	/* rep movsb: 16 bytes RAM -> MMIO (dropped) */
	tv_current_case = "rep movsb to MMIO";
	for (int i = 0; i < 16; i++)
		ram[i] = (u8)(0x30 + i);
	asm volatile("cld\n\trep movsb"
		     : "=c"(rcx), "=S"(rsi), "=D"(rdi)
		     : "c"(16ull), "S"(ram), "D"(a)
		     : "memory");
	EXPECT(rcx == 0 && rsi == (u64)(uptr)ram + 16 && rdi == a + 16,
	       "rep movsb RAM->MMIO at %#llx (%s): rcx %llu rsi %#llx rdi %#llx after", a, what,
	       rcx, rsi, rdi);
	EXPECT(ld64(a) == ONES && ld64(a + 8) == ONES,
	       "rep movsb RAM->MMIO at %#llx (%s): reads back %#llx %#llx", a, what, ld64(a),
	       ld64(a + 8));

	/* rep stosd: 4 dwords into MMIO */
	tv_current_case = "rep stosl to MMIO";
	asm volatile("cld\n\trep stosl"
		     : "=c"(rcx), "=D"(rdi)
		     : "c"(4ull), "D"(a), "a"(0x11223344u)
		     : "memory");
	EXPECT(rcx == 0 && rdi == a + 16, "rep stosl at %#llx (%s): rcx %llu rdi %#llx after", a,
	       what, rcx, rdi);
	EXPECT(ld64(a) == ONES && ld64(a + 8) == ONES,
	       "rep stosl at %#llx (%s): reads back %#llx %#llx", a, what, ld64(a), ld64(a + 8));

	/* lodsl: one dword into eax (upper half of rax zeroed) */
	u64 rax = 0x1122334455667788ull;

	tv_current_case = "lodsl from MMIO";
	asm volatile("cld\n\tlodsl" : "+a"(rax), "=S"(rsi) : "S"(a + 4) : "memory");
	EXPECT(rax == 0xffffffffull && rsi == a + 8,
	       "lodsl at %#llx (%s): rax %#llx rsi %#llx after", a + 4, what, rax, rsi);

	/* movsq twice (no rep): MMIO -> RAM */
	tv_current_case = "movsq from MMIO";
	memset(ram, 0, sizeof(ram));
	asm volatile("cld\n\tmovsq\n\tmovsq" : "=S"(rsi), "=D"(rdi) : "S"(a), "D"(ram) : "memory");
	EXPECT(rsi == a + 16 && rdi == (u64)(uptr)ram + 16,
	       "movsq x2 at %#llx (%s): rsi %#llx rdi %#llx after", a, what, rsi, rdi);
	EXPECT(((u64 *)ram)[0] == ONES && ((u64 *)ram)[1] == ONES && ((u64 *)ram)[2] == 0,
	       "movsq x2 at %#llx (%s): RAM got %#llx %#llx %#llx", a, what, ((u64 *)ram)[0],
	       ((u64 *)ram)[1], ((u64 *)ram)[2]);

	/* stosw: one word into MMIO */
	tv_current_case = "stosw to MMIO";
	asm volatile("cld\n\tstosw" : "=D"(rdi) : "D"(a + 0x20), "a"(0xbeef) : "memory");
	EXPECT(rdi == a + 0x22 && ld64(a + 0x20) == ONES, "stosw at %#llx (%s): rdi %#llx, reads %#llx",
	       a + 0x20, what, rdi, ld64(a + 0x20));
	tv_current_case = NULL;
}

static void test_hole(u64 base, const char *what)
{
	int n0 = nchecks;

	tv_printf("mmio: hole %#llx (%s)\n", base, what);
	group_begin();
	run_cases(base, what);
	run_string_cases(base + 0x100, what);
	int good = group_end();

	tv_check(good, "hole %#llx (%s): %d accesses as expected, %d not", base, what,
		 nchecks - n0, group_fails);
}

/* The moffs form (mov between rAX and an absolute 64-bit address) needs a constant. */
static void test_moffs(void)
{
	u32 eax = 0x12345678;
	u64 rax = 0;

	group_begin();
	tv_current_case = "movabs moffs";
	asm volatile("movabsl 0xd0000040, %%eax" : "=a"(eax) : : "memory");
	EXPECT(eax == 0xffffffffu, "movabsl 0xd0000040,%%eax: %#x", eax);
	asm volatile("movabsq 0xd0000048, %%rax" : "=a"(rax) : : "memory");
	EXPECT(rax == ONES, "movabsq 0xd0000048,%%rax: %#llx", rax);
	asm volatile("movabsb %%al, 0xd0000050" : : "a"(0x42) : "memory");
	EXPECT(ld64(0xd0000050) == ONES, "movabsb %%al,0xd0000050: reads back %#llx", ld64(0xd0000050));
	tv_current_case = NULL;
	tv_check(group_end(), "moffs forms (movabs) at 0xd0000040");
}

/* The first page at or above the end of RAM that no e820 entry covers. */
static u64 above_ram(void)
{
	u64 top = 0;

	for (int i = 0; i < e820_count(); i++) {
		const struct e820_entry *e = e820_entry(i);

		tv_printf("mmio: e820 %#llx-%#llx type %u\n", e->addr, e->addr + e->size - 1, e->type);
		if (e->type == E820_RAM && e->addr < 0x100000000ull && e->addr + e->size > top)
			top = e->addr + e->size;
	}
	top = (top + 0xfff) & ~0xfffull;
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; i < e820_count(); i++) {
			const struct e820_entry *e = e820_entry(i);

			if (e->addr < top + 0x1000 && e->addr + e->size > top) {
				top = (e->addr + e->size + 0xfff) & ~0xfffull;
				again = 1;
			}
		}
	}
	return top;
}

/* ---- local APIC ---- */
CASE(apic_mov_eax, "movq %[a], %%rsi\n\tmovl (%%rsi), %%eax\n\tmovq %%rax, %[v]", "rax", "rsi")
CASE(apic_mov_r10d, "movq $" PREFILL ", %%r10\n\tmovq %[a], %%r12\n\tmovl (%%r12), %%r10d\n\t"
		    "movq %%r10, %[v]", "r10", "r12")
CASE(apic_mov_disp, "movq $0, %%r8\n\tleaq -0x30(%[a]), %%r13\n\tmovl 0x30(%%r13), %%r8d\n\t"
		    "movq %%r8, %[v]", "r8", "r13")
CASE(apic_movslq, "movq %[a], %%rdi\n\tmovslq (%%rdi), %%r15\n\tmovq %%r15, %[v]", "rdi", "r15")
CASE(apic_or, "movq $0, %%rcx\n\tmovq %[a], %%rdx\n\torl (%%rdx), %%ecx\n\tmovq %%rcx, %[v]",
     "rcx", "rdx")
CASE(apic_add, "movq $0, %%r9\n\tmovq %[a], %%rbx\n\taddl (%%rbx), %%r9d\n\tmovq %%r9, %[v]",
     "r9", "rbx")
CASE(apic_and, "movq $-1, %%r11\n\tmovq %[a], %%rsi\n\tandl (%%rsi), %%r11d\n\t"
	       "movq %%r11, %[v]", "r11", "rsi")
CASE(apic_xor, "movq $0, %%rax\n\tmovq %[a], %%r14\n\txorl (%%r14), %%eax\n\tmovq %%rax, %[v]",
     "rax", "r14")

static void test_lapic(void)
{
	const u64 ver_addr = LAPIC_BASE + LAPIC_VERSION;
	const u64 tpr_addr = LAPIC_BASE + LAPIC_TPR;
	static const struct {
		const char *name;
		struct res (*fn)(u64 a);
	} forms[] = {
		{ "movl (%r12),%r10d", apic_mov_r10d }, { "movl 0x30(%r13),%r8d", apic_mov_disp },
		{ "movslq (%rdi),%r15", apic_movslq },	{ "orl (%rdx),%ecx", apic_or },
		{ "addl (%rbx),%r9d", apic_add },	{ "andl (%rsi),%r11d", apic_and },
		{ "xorl (%r14),%eax", apic_xor },
	};
	char label[96];

	tv_current_case = "LAPIC version read";
	u32 ver = (u32)apic_mov_eax(ver_addr).v;

	tv_printf("mmio: LAPIC version register %#x: version %#x, max LVT %u\n", ver, ver & 0xff,
		  (ver >> 16) & 0xff);
	tv_check((ver & 0xf0) == 0x10 && ((ver >> 16) & 0xff) >= 4 && ((ver >> 16) & 0xff) < 0x10,
		 "LAPIC version %#x: integrated APIC (0x1X), max LVT >= 4", ver);

	group_begin();
	for (unsigned i = 0; i < ARRAY_SIZE(forms); i++) {
		tv_snprintf(label, sizeof(label), "LAPIC version via %s", forms[i].name);
		tv_current_case = label;
		u64 v = forms[i].fn(ver_addr).v;
		/* movslq sign-extends; the others zero-extend the 32-bit result */
		u64 want = forms[i].fn == apic_movslq ? (u64)(s64)(s32)ver : ver;

		EXPECT(v == want, "%s: %#llx, expected %#llx", label, v, want);
	}
	tv_current_case = "LAPIC version via cmpl/testl";
	u8 zf_cmp, zf_test;

	asm volatile("cmpl %[e], (%[a])\n\tsetz %[z]"
		     : [z] "=r"(zf_cmp) : [e] "r"(ver), [a] "r"(ver_addr) : "cc", "memory");
	asm volatile("testl $0xff, (%[a])\n\tsetz %[z]"
		     : [z] "=r"(zf_test) : [a] "r"(ver_addr) : "cc", "memory");
	EXPECT(zf_cmp == 1, "cmpl %%reg,(LAPIC version): not equal");
	EXPECT(zf_test == 0, "testl $0xff,(LAPIC version): ZF set");
	tv_check(group_end(), "LAPIC version read the same through %u instruction forms",
		 (unsigned)ARRAY_SIZE(forms) + 3);

	u32 id = lapic_read(LAPIC_ID);

	tv_check((id >> 24) == 0, "LAPIC ID register %#x: APIC ID 0", id);

	/* The TPR (bits 7:0) written and read back through several forms. */
	group_begin();
	tv_current_case = "TPR writes";
	u32 tpr, old;

	asm volatile("movl %[v], (%[a])" : : [v] "r"(0x20u), [a] "r"(tpr_addr) : "memory");
	tpr = (u32)apic_mov_r10d(tpr_addr).v & 0xff;
	EXPECT(tpr == 0x20, "TPR after movl %%reg: %#x, expected 0x20", tpr);

	asm volatile("movq %[a], %%r13\n\tmovl $0x30, (%%r13)" : : [a] "r"(tpr_addr) : "r13", "memory");
	tpr = (u32)apic_mov_eax(tpr_addr).v & 0xff;
	EXPECT(tpr == 0x30, "TPR after movl $imm: %#x, expected 0x30", tpr);

	old = 0x40;
	asm volatile("movq %[a], %%r9\n\txchgl %[o], (%%r9)" : [o] "+r"(old) : [a] "r"(tpr_addr)
		     : "r9", "memory");
	tpr = (u32)apic_mov_disp(tpr_addr).v & 0xff;
	EXPECT((old & 0xff) == 0x30 && tpr == 0x40, "TPR xchgl: old %#x (expected 0x30), now %#x "
	       "(expected 0x40)", old, tpr);

	asm volatile("orl $0x05, (%[a])" : : [a] "r"(tpr_addr) : "cc", "memory");
	tpr = (u32)apic_or(tpr_addr).v & 0xff;
	EXPECT(tpr == 0x45, "TPR after orl $5: %#x, expected 0x45", tpr);

	asm volatile("andl $0xf0, (%[a])" : : [a] "r"(tpr_addr) : "cc", "memory");
	tpr = (u32)apic_movslq(tpr_addr).v & 0xff;
	EXPECT(tpr == 0x40, "TPR after andl $0xf0: %#x, expected 0x40", tpr);

	asm volatile("addl $0x10, (%[a])" : : [a] "r"(tpr_addr) : "cc", "memory");
	tpr = lapic_read(LAPIC_TPR) & 0xff;
	EXPECT(tpr == 0x50, "TPR after addl $0x10: %#x, expected 0x50", tpr);

	lapic_write(LAPIC_TPR, 0);
	tpr = lapic_read(LAPIC_TPR) & 0xff;
	EXPECT(tpr == 0, "TPR after writing 0: %#x", tpr);
	tv_current_case = NULL;
	tv_check(group_end(), "TPR written and read back through 7 instruction forms");
}

static void test_ioapic(void)
{
	volatile u32 *sel = (volatile u32 *)IOAPIC_BASE;
	volatile u32 *win = (volatile u32 *)(IOAPIC_BASE + 0x10);

	tv_current_case = "I/O APIC version";
	*sel = 1;
	u32 ver = *win;

	tv_current_case = NULL;
	tv_printf("mmio: I/O APIC version register %#x: version %#x, %u redirection entries\n", ver,
		  ver & 0xff, ((ver >> 16) & 0xff) + 1);
	tv_check(ver != 0xffffffffu && (ver & 0xff) != 0 && ((ver >> 16) & 0xff) >= 15,
		 "I/O APIC at %#lx answers (version %#x, >= 16 entries)", IOAPIC_BASE, ver);
}

void guest_main(const u8 *boot_params)
{
	u64 top = above_ram();
	u64 extra = cmdline_u64("mmio.extra", 0);

	test_hole(0xd0000000ull, "hole");
	test_moffs();
	test_hole(0xfed40000ull, "TPM area");
	test_hole(0xe0000000ull, "0xe0000000");
	test_hole(0xe0000000ull + 0x00100000, "0xe0000000+1M");
	test_hole(0xe0000000ull + 0x0ffff000, "0xe0000000+0xffff000");
	if (top && top < 0xe0000000ull)
		test_hole(top, "above RAM");
	else
		tv_printf("mmio: RAM ends at %#llx: no hole right above it below 0xe0000000\n", top);
	if (extra)
		test_hole(extra, "mmio.extra");
	test_lapic();
	test_ioapic();
	tv_printf("mmio: %d accesses checked\n", nchecks);
}
