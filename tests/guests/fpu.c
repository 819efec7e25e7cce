// SPDX-License-Identifier: MIT
/*
 * fpu.c: the guest's FPU/SSE/AVX state survives VM exits.
 *
 * The program enables SSE (CR4.OSFXSR/OSXMMEXCPT) and, when CPUID offers
 * XSAVE and AVX, CR4.OSXSAVE and XCR0 = x87|SSE|AVX (CPUID.1:ECX.OSXSAVE must
 * then read 1). One asm block loads distinct values into x87 st0-st7, the x87
 * control word, MXCSR and xmm0-xmm15 (ymm0-ymm15 with AVX), then spins
 * through many exits (each round: IN from port 0x3fd, CPUID, a read of the
 * LAPIC version register) and stores everything back for comparison.
 * Command line: fpu.iters=N rounds (default 100000); fpu.avx=0 leaves AVX
 * (and CR4.OSXSAVE) off.
 *
 * Built with -msse2 instead of -mgeneral-regs-only: nothing here may touch a
 * vector register before fpu_enable() (hence the noinline split).
 */
#include "rt.h"

TV_TEST_NAME("fpu");

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

#define MXCSR_TEST 0xbf80u /* all exceptions masked, round down (RC=01), flush to zero */
#define FCW_TEST 0x0b7fu   /* all exceptions masked, 64-bit precision, round up (RC=10) */

static int have_avx;

static __attribute__((noinline)) void fpu_enable(void)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	asm volatile("fninit" ::: "memory");
}

static __attribute__((noinline)) void avx_enable(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	int xsave = !!(r.ecx & (1u << 26)), avx = !!(r.ecx & (1u << 28));

	tv_printf("fpu: CPUID: XSAVE %d, AVX %d, OSXSAVE %d\n", xsave, avx, !!(r.ecx & (1u << 27)));
	if (!xsave || !avx) {
		tv_printf("fpu: no AVX offered: testing x87 and SSE only\n");
		return;
	}
	if (!cmdline_u64("fpu.avx", 1)) {
		tv_printf("fpu: fpu.avx=0: testing x87 and SSE only\n");
		return;
	}
	struct cpuid_regs d = cpuid(0xd, 0);

	tv_printf("fpu: CPUID 0xd: XCR0 may have %#x (xsave area %u bytes)\n", d.eax, d.ecx);
	if (!tv_check((d.eax & 7) == 7, "CPUID 0xd.0 offers XCR0 x87|SSE|AVX (%#x)", d.eax))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	r = cpuid(1, 0);
	tv_check(r.ecx & (1u << 27), "CPUID.1:ECX.OSXSAVE reads 1 once CR4.OSXSAVE is set");
	/*
	 * No XGETBV read-back: nested KVM has been seen to fail emulating it. If
	 * XCR0.AVX did not take, the first VEX instruction raises #UD.
	 */
	have_avx = tv_check(xsetbv_safe(0, 7) == 0, "xsetbv XCR0 = 7 (x87|SSE|AVX)");
}

/* Register images: x87 as 8 doubles, 16 vector registers of 32 bytes (xmm uses the low 16). */
struct state {
	u8 vec[16][32];	/* offset 0 */
	u64 st[8];	/* offset 512 */
	u32 mxcsr;	/* offset 576 */
	u16 fcw;	/* offset 580 */
	u8 pad[58];
} __attribute__((aligned(64)));

/* The asm below hard-codes these offsets. */
_Static_assert(__builtin_offsetof(struct state, st) == 512, "st offset");
_Static_assert(__builtin_offsetof(struct state, mxcsr) == 576, "mxcsr offset");
_Static_assert(__builtin_offsetof(struct state, fcw) == 580, "fcw offset");

static struct state in, out;

static void fill(struct state *s)
{
	for (int i = 0; i < 8; i++) /* normal doubles: exponent 0x401 + i, distinct mantissas */
		s->st[i] = ((0x401ull + (u64)i) << 52) | (0x0123456789abull * (u64)(i + 1));
	s->mxcsr = MXCSR_TEST;
	s->fcw = FCW_TEST;
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			s->vec[r][b] = (u8)(0x11 * (r + 1) + 7 * b);
}

/*
 * x87 st0..st7 are loaded from st[7]..st[0] (fldl pushes) and stored back in
 * the reverse order, so out.st == in.st when nothing was lost.
 */
#define X87_LOAD                                                                         \
	"fldcw 580(%[in])\n\t"                                                           \
	"fldl 512(%[in])\n\tfldl 520(%[in])\n\tfldl 528(%[in])\n\tfldl 536(%[in])\n\t"   \
	"fldl 544(%[in])\n\tfldl 552(%[in])\n\tfldl 560(%[in])\n\tfldl 568(%[in])\n\t"   \
	"ldmxcsr 576(%[in])\n\t"
#define X87_STORE                                                                        \
	"fstpl 568(%[out])\n\tfstpl 560(%[out])\n\tfstpl 552(%[out])\n\t"                \
	"fstpl 544(%[out])\n\tfstpl 536(%[out])\n\tfstpl 528(%[out])\n\t"                \
	"fstpl 520(%[out])\n\tfstpl 512(%[out])\n\t"                                     \
	"fnstcw 580(%[out])\n\tstmxcsr 576(%[out])\n\t"
/* Each round: three exits of different kinds. */
#define EXIT_LOOP                                                                        \
	"1:\n\t"                                                                         \
	"movl $0x3fd, %%edx\n\tinb %%dx, %%al\n\t"                                       \
	"xorl %%eax, %%eax\n\txorl %%ecx, %%ecx\n\tcpuid\n\t"                            \
	"movl (%[apic]), %%eax\n\t"                                                      \
	"decq %[n]\n\tjnz 1b\n\t"

#define XMM_CLOBBERS                                                                     \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",   \
		"xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define X87_CLOBBERS "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

static void run_sse(u64 n)
{
	asm volatile(X87_LOAD
		     "movdqu 0(%[in]), %%xmm0\n\tmovdqu 32(%[in]), %%xmm1\n\t"
		     "movdqu 64(%[in]), %%xmm2\n\tmovdqu 96(%[in]), %%xmm3\n\t"
		     "movdqu 128(%[in]), %%xmm4\n\tmovdqu 160(%[in]), %%xmm5\n\t"
		     "movdqu 192(%[in]), %%xmm6\n\tmovdqu 224(%[in]), %%xmm7\n\t"
		     "movdqu 256(%[in]), %%xmm8\n\tmovdqu 288(%[in]), %%xmm9\n\t"
		     "movdqu 320(%[in]), %%xmm10\n\tmovdqu 352(%[in]), %%xmm11\n\t"
		     "movdqu 384(%[in]), %%xmm12\n\tmovdqu 416(%[in]), %%xmm13\n\t"
		     "movdqu 448(%[in]), %%xmm14\n\tmovdqu 480(%[in]), %%xmm15\n\t"
		     EXIT_LOOP
		     "movdqu %%xmm0, 0(%[out])\n\tmovdqu %%xmm1, 32(%[out])\n\t"
		     "movdqu %%xmm2, 64(%[out])\n\tmovdqu %%xmm3, 96(%[out])\n\t"
		     "movdqu %%xmm4, 128(%[out])\n\tmovdqu %%xmm5, 160(%[out])\n\t"
		     "movdqu %%xmm6, 192(%[out])\n\tmovdqu %%xmm7, 224(%[out])\n\t"
		     "movdqu %%xmm8, 256(%[out])\n\tmovdqu %%xmm9, 288(%[out])\n\t"
		     "movdqu %%xmm10, 320(%[out])\n\tmovdqu %%xmm11, 352(%[out])\n\t"
		     "movdqu %%xmm12, 384(%[out])\n\tmovdqu %%xmm13, 416(%[out])\n\t"
		     "movdqu %%xmm14, 448(%[out])\n\tmovdqu %%xmm15, 480(%[out])\n\t"
		     X87_STORE
		     : [n] "+r"(n)
		     : [in] "r"(&in), [out] "r"(&out), [apic] "r"(LAPIC_BASE + LAPIC_VERSION)
		     : "rax", "rbx", "rcx", "rdx", "memory", "cc", XMM_CLOBBERS, X87_CLOBBERS);
}

static void run_avx(u64 n)
{
	asm volatile(X87_LOAD
		     "vmovdqu 0(%[in]), %%ymm0\n\tvmovdqu 32(%[in]), %%ymm1\n\t"
		     "vmovdqu 64(%[in]), %%ymm2\n\tvmovdqu 96(%[in]), %%ymm3\n\t"
		     "vmovdqu 128(%[in]), %%ymm4\n\tvmovdqu 160(%[in]), %%ymm5\n\t"
		     "vmovdqu 192(%[in]), %%ymm6\n\tvmovdqu 224(%[in]), %%ymm7\n\t"
		     "vmovdqu 256(%[in]), %%ymm8\n\tvmovdqu 288(%[in]), %%ymm9\n\t"
		     "vmovdqu 320(%[in]), %%ymm10\n\tvmovdqu 352(%[in]), %%ymm11\n\t"
		     "vmovdqu 384(%[in]), %%ymm12\n\tvmovdqu 416(%[in]), %%ymm13\n\t"
		     "vmovdqu 448(%[in]), %%ymm14\n\tvmovdqu 480(%[in]), %%ymm15\n\t"
		     EXIT_LOOP
		     "vmovdqu %%ymm0, 0(%[out])\n\tvmovdqu %%ymm1, 32(%[out])\n\t"
		     "vmovdqu %%ymm2, 64(%[out])\n\tvmovdqu %%ymm3, 96(%[out])\n\t"
		     "vmovdqu %%ymm4, 128(%[out])\n\tvmovdqu %%ymm5, 160(%[out])\n\t"
		     "vmovdqu %%ymm6, 192(%[out])\n\tvmovdqu %%ymm7, 224(%[out])\n\t"
		     "vmovdqu %%ymm8, 256(%[out])\n\tvmovdqu %%ymm9, 288(%[out])\n\t"
		     "vmovdqu %%ymm10, 320(%[out])\n\tvmovdqu %%ymm11, 352(%[out])\n\t"
		     "vmovdqu %%ymm12, 384(%[out])\n\tvmovdqu %%ymm13, 416(%[out])\n\t"
		     "vmovdqu %%ymm14, 448(%[out])\n\tvmovdqu %%ymm15, 480(%[out])\n\t"
		     "vzeroupper\n\t"
		     X87_STORE
		     : [n] "+r"(n)
		     : [in] "r"(&in), [out] "r"(&out), [apic] "r"(LAPIC_BASE + LAPIC_VERSION)
		     : "rax", "rbx", "rcx", "rdx", "memory", "cc", XMM_CLOBBERS, X87_CLOBBERS);
}

static void compare(const char *what, int vec_bytes)
{
	int bad = 0;

	for (int i = 0; i < 8; i++)
		if (out.st[i] != in.st[i] && bad++ < 4)
			tv_printf("fpu:   x87 value %d: %#llx, expected %#llx\n", i, out.st[i], in.st[i]);
	if (out.fcw != in.fcw && bad++ < 4)
		tv_printf("fpu:   x87 control word %#x, expected %#x\n", out.fcw, in.fcw);
	if (out.mxcsr != in.mxcsr && bad++ < 4)
		tv_printf("fpu:   MXCSR %#x, expected %#x\n", out.mxcsr, in.mxcsr);
	for (int r = 0; r < 16; r++) {
		if (!tv_memcmp(out.vec[r], in.vec[r], (u64)vec_bytes))
			continue;
		if (bad++ < 4) {
			const u64 *o = (const u64 *)out.vec[r], *e = (const u64 *)in.vec[r];

			if (vec_bytes == 32) {
				tv_printf("fpu:   ymm%d: %016llx %016llx %016llx %016llx\n", r, o[3],
					  o[2], o[1], o[0]);
				tv_printf("fpu:   expected: %016llx %016llx %016llx %016llx\n", e[3],
					  e[2], e[1], e[0]);
			} else {
				tv_printf("fpu:   xmm%d: %016llx %016llx, expected %016llx %016llx\n", r,
					  o[1], o[0], e[1], e[0]);
			}
		}
	}
	tv_check(!bad, "%s: %d of st0-7, FCW, MXCSR, %cmm0-15 changed", what, bad,
		 vec_bytes == 32 ? 'y' : 'x');
}

static __attribute__((noinline)) void run(void)
{
	u64 n = cmdline_u64("fpu.iters", 100000);

	if (!n)
		n = 1;
	avx_enable();
	fill(&in);

	/* Without exits first: proves the check itself, so a failure below means the VMM. */
	memset(&out, 0, sizeof(out));
	run_sse(1);
	compare("x87/SSE state, 1 round", 16);

	memset(&out, 0, sizeof(out));
	u64 t0 = rdtsc();

	run_sse(n);
	tv_printf("fpu: %llu rounds (%llu exits) in %llu TSC cycles\n", n, 3 * n, rdtsc() - t0);
	compare("x87/SSE state after the exits", 16);

	if (!have_avx)
		return;
	for (int r = 0; r < 16; r++) /* different values than the SSE run */
		for (int b = 0; b < 32; b++)
			in.vec[r][b] ^= 0xa5;
	memset(&out, 0, sizeof(out));
	t0 = rdtsc();
	run_avx(n);
	tv_printf("fpu: %llu AVX rounds (%llu exits) in %llu TSC cycles\n", n, 3 * n, rdtsc() - t0);
	compare("x87/AVX state after the exits", 32);
}

void guest_main(const u8 *boot_params)
{
	fpu_enable();
	run();
}
