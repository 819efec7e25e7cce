// SPDX-License-Identifier: MIT
/*
 * test_x86_emulate.c: the instruction emulator (vmm/emul/x86_emulate.c) on a
 * fake guest with RAM, an MMIO window that records accesses and a faulting
 * range; arithmetic flags are checked against the host CPU executing the
 * same operation.
 */
#include "test.h"

#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/x86emu.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

#define RAM_BASE 0x10000ull
#define RAM_SIZE 0x10000ull
#define MMIO_BASE 0xfee00000ull
#define MMIO_SIZE 0x1000ull
#define FAULT_BASE 0xdead0000ull
#define FAULT_SIZE 0x1000ull
#define ROM_BASE 0xc0000ull		/* reads 0x5a..., writes fault */
#define ROM_SIZE 0x1000ull

struct access {
	u64 gla;
	unsigned size;
	bool write;
	u64 val;
};

struct guest {
	u64 gpr[16], rflags, rip;
	u64 seg_base[6];
	u8 ram[RAM_SIZE];
	struct access log[16];
	unsigned nlog;
	u64 mmio_rd[8];		/* successive MMIO read results */
	unsigned nrd;
	unsigned faults, bad_size, seg_calls;
	enum x86_cpu_mode mode;
};

static struct guest g;

static u64 g_get_gpr(void *ctx, unsigned reg)
{
	return ((struct guest *)ctx)->gpr[reg & 15];
}

static void g_set_gpr(void *ctx, unsigned reg, u64 val)
{
	((struct guest *)ctx)->gpr[reg & 15] = val;
}

static u64 g_get_rflags(void *ctx)
{
	return ((struct guest *)ctx)->rflags;
}

static void g_set_rflags(void *ctx, u64 val)
{
	((struct guest *)ctx)->rflags = val;
}

static u64 g_get_rip(void *ctx)
{
	return ((struct guest *)ctx)->rip;
}

static u64 g_seg_base(void *ctx, enum x86_seg seg)
{
	struct guest *gg = ctx;

	gg->seg_calls++;
	return seg <= X86_SEG_GS ? gg->seg_base[seg] : 0xbad;
}

static int g_mem(void *ctx, u64 gla, void *buf, unsigned size, bool write)
{
	struct guest *gg = ctx;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		gg->bad_size++;
	if (gla >= RAM_BASE && gla + size <= RAM_BASE + RAM_SIZE) {
		if (write)
			memcpy(&gg->ram[gla - RAM_BASE], buf, size);
		else
			memcpy(buf, &gg->ram[gla - RAM_BASE], size);
		return 0;
	}
	if (gla >= MMIO_BASE && gla + size <= MMIO_BASE + MMIO_SIZE) {
		struct access *a = &gg->log[gg->nlog < 16 ? gg->nlog++ : 15];

		a->gla = gla;
		a->size = size;
		a->write = write;
		a->val = 0;
		if (write) {
			memcpy(&a->val, buf, size);
		} else {
			a->val = gg->nrd < 8 ? gg->mmio_rd[gg->nrd++] : 0;
			if (size < 8)
				a->val &= (1ull << (8 * size)) - 1;
			memcpy(buf, &a->val, size);
		}
		return 0;
	}
	if (gla >= ROM_BASE && gla + size <= ROM_BASE + ROM_SIZE) {
		if (write) {
			gg->faults++;
			return X86EMU_EXCEPTION;
		}
		memset(buf, 0x5a, size);
		return 0;
	}
	if (gla >= FAULT_BASE && gla < FAULT_BASE + FAULT_SIZE) {
		gg->faults++;
		return X86EMU_EXCEPTION;
	}
	return -1;
}

static const struct x86_emu_ops ops = {
	.get_gpr = g_get_gpr, .set_gpr = g_set_gpr,
	.get_rflags = g_get_rflags, .set_rflags = g_set_rflags,
	.get_rip = g_get_rip, .seg_base = g_seg_base, .mem = g_mem,
};

static void reset(enum x86_cpu_mode mode)
{
	memset(&g, 0, sizeof(g));
	g.mode = mode;
	g.rflags = 0x2;
	g.rip = 0x401000;
	for (int i = 0; i < 16; i++)
		g.gpr[i] = 0x1111111111111111ull * (u64)(i + 1);
}

static size_t parse_hex(const char *s, u8 *out)
{
	size_t n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		out[n++] = (u8)strtoul((char[]){ s[0], s[1], 0 }, NULL, 16);
		s += 2;
	}
	return n;
}

static struct x86_insn last;

/* Decode and emulate; the guest's RIP must never move. */
static int emu_bytes(const u8 *b, size_t n)
{
	u64 rip = g.rip;
	int rc = x86_decode(b, n, g.mode, &last);

	if (rc) {
		fprintf(stderr, "decode failed: %d\n", rc);
		return -1000 + rc;
	}
	CHECK_EQ(last.len, n);
	rc = x86_emulate(&last, &ops, &g);
	CHECK_EQ(g.rip, rip);
	CHECK_EQ(g.bad_size, 0);
	return rc;
}

static int emu(const char *hex)
{
	u8 b[16];

	return emu_bytes(b, parse_hex(hex, b));
}

static u64 ram_rd(u64 gla, unsigned size)
{
	u64 v = 0;

	memcpy(&v, &g.ram[gla - RAM_BASE], size);
	return v;
}

static void ram_wr(u64 gla, u64 v, unsigned size)
{
	memcpy(&g.ram[gla - RAM_BASE], &v, size);
}

#define CHECK_ACC(i, a, sz, wr, v) do { \
	CHECK_EQ(g.log[i].gla, (a)); \
	CHECK_EQ(g.log[i].size, (sz)); \
	CHECK_EQ(g.log[i].write, (wr)); \
	CHECK_EQ(g.log[i].val, (v)); \
} while (0)

/* ---- host reference: the same operation on this CPU ------------------- */

/*
 * Run `insn` on the host with the given input flags. The asm steps over
 * the red zone before pushing, and only touches register operands.
 */
#define HOST2(name, insn, T) \
static u64 name(u64 a, u64 b, u64 *fl) \
{ \
	T x = (T)a, y = (T)b; \
	u64 f = *fl; \
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" \
			 insn " %[y], %[x]\n\t" \
			 "pushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp" \
			 : [x] "+r"(x), [f] "+r"(f) : [y] "r"(y) : "cc", "memory"); \
	*fl = f; \
	return (u64)x; \
}

#define HOST1(name, insn, T) \
static u64 name(u64 a, u64 b, u64 *fl) \
{ \
	T x = (T)a; \
	u64 f = *fl; \
	(void)b; \
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" \
			 insn " %[x]\n\t" \
			 "pushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp" \
			 : [x] "+r"(x), [f] "+r"(f) : : "cc", "memory"); \
	*fl = f; \
	return (u64)x; \
}

#define HOST_SIZES(H, op) \
	H(host_##op##_1, #op, u8) H(host_##op##_2, #op, u16) \
	H(host_##op##_4, #op, u32) H(host_##op##_8, #op, u64)

HOST_SIZES(HOST2, add) HOST_SIZES(HOST2, or) HOST_SIZES(HOST2, adc) HOST_SIZES(HOST2, sbb)
HOST_SIZES(HOST2, and) HOST_SIZES(HOST2, sub) HOST_SIZES(HOST2, xor) HOST_SIZES(HOST2, cmp)
HOST_SIZES(HOST2, test) HOST_SIZES(HOST2, xadd)
HOST_SIZES(HOST1, not) HOST_SIZES(HOST1, neg) HOST_SIZES(HOST1, inc) HOST_SIZES(HOST1, dec)

typedef u64 (*host_fn)(u64, u64, u64 *);
#define HOST_ROW(op) { host_##op##_1, host_##op##_2, host_##op##_4, host_##op##_8 }

/* CMPXCHG: x is the destination, acc the accumulator (updated). */
#define HOST_CX(name, T) \
static u64 name(u64 a, u64 b, u64 *acc, u64 *fl) \
{ \
	T x = (T)a, y = (T)b, ac = (T)*acc; \
	u64 f = *fl; \
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" \
			 "cmpxchg %[y], %[x]\n\t" \
			 "pushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp" \
			 : [x] "+r"(x), [f] "+r"(f), "+a"(ac) : [y] "r"(y) : "cc", "memory"); \
	*fl = f; \
	*acc = ac; \
	return (u64)x; \
}
HOST_CX(host_cx_1, u8) HOST_CX(host_cx_2, u16) HOST_CX(host_cx_4, u32) HOST_CX(host_cx_8, u64)

static u64 rng_state = 0x2545f4914f6cdd1dull;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const u64 edge[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull, ~0ull,
};

static u64 operand(unsigned i)
{
	return i < ARRAY_SIZE(edge) ? edge[i] : rng();
}

static u64 mask_of(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Build "[66|48] opcode(+1) modrm" for an operation on [rbx] at size sz. */
static size_t enc(u8 *b, unsigned sz, u8 opc, u8 modrm, bool map0f)
{
	size_t n = 0;

	if (sz == 2)
		b[n++] = 0x66;
	if (sz == 8)
		b[n++] = 0x48;
	if (map0f)
		b[n++] = 0x0f;
	b[n++] = opc + (sz != 1);
	b[n++] = modrm;
	return n;
}

#define ADDR (RAM_BASE + 0x800)

TEST(alu_flags_vs_host)
{
	static const struct { enum x86_op op; u8 opc; host_fn host[4]; } alu_ops[] = {
		{ X86_OP_ADD, 0x00, HOST_ROW(add) }, { X86_OP_OR, 0x08, HOST_ROW(or) },
		{ X86_OP_ADC, 0x10, HOST_ROW(adc) }, { X86_OP_SBB, 0x18, HOST_ROW(sbb) },
		{ X86_OP_AND, 0x20, HOST_ROW(and) }, { X86_OP_SUB, 0x28, HOST_ROW(sub) },
		{ X86_OP_XOR, 0x30, HOST_ROW(xor) }, { X86_OP_CMP, 0x38, HOST_ROW(cmp) },
		{ X86_OP_TEST, 0x84, HOST_ROW(test) },
	};
	unsigned mismatches = 0, runs = 0;

	for (unsigned o = 0; o < ARRAY_SIZE(alu_ops); o++) {
		bool logic = alu_ops[o].op == X86_OP_OR || alu_ops[o].op == X86_OP_AND ||
			     alu_ops[o].op == X86_OP_XOR || alu_ops[o].op == X86_OP_TEST;
		u64 fmask = logic ? X86_RFLAGS_ARITH & ~X86_RFLAGS_AF : X86_RFLAGS_ARITH;

		for (unsigned si = 0; si < 4; si++) {
			unsigned sz = 1u << si;

			for (unsigned i = 0; i < 40; i++) {
				for (unsigned j = 0; j < 40; j++) {
					u64 a = operand(i) & mask_of(sz), b = operand(j) & mask_of(sz);
					u64 fin = 0x2 | ((i + j) & 1 ? X86_RFLAGS_CF : 0) | ((i & 2) ? X86_RFLAGS_ZF : 0);
					u64 hf = fin, res, u[8];
					size_t n;
					bool writes = alu_ops[o].op != X86_OP_CMP && alu_ops[o].op != X86_OP_TEST;

					reset(X86_MODE_64);
					g.rflags = fin;
					g.gpr[RBX] = ADDR;
					g.gpr[RCX] = b | (0xababababababababull & ~mask_of(sz));
					ram_wr(ADDR, a, 8);
					n = enc((u8 *)u, sz, alu_ops[o].opc, 0x0b, false);
					runs++;
					if (emu_bytes((u8 *)u, n) != X86EMU_OK) {
						mismatches++;
						continue;
					}
					res = alu_ops[o].host[si](a, b, &hf);
					if (ram_rd(ADDR, sz) != (writes ? res & mask_of(sz) : a) ||
					    (g.rflags & fmask) != (hf & fmask) ||
					    (g.rflags & ~X86_RFLAGS_ARITH) != (fin & ~X86_RFLAGS_ARITH)) {
						if (mismatches++ < 5)
							fprintf(stderr, "op %u size %u a %#llx b %#llx: res %#llx/%#llx fl %#llx/%#llx\n",
								o, sz, (unsigned long long)a, (unsigned long long)b,
								(unsigned long long)ram_rd(ADDR, sz),
								(unsigned long long)res,
								(unsigned long long)g.rflags, (unsigned long long)hf);
					}
				}
			}
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(runs, 9 * 4 * 40 * 40);
}

/* Reg <- reg op mem (the 02/03 forms) and the 83 imm8 form, against the host. */
TEST(alu_other_forms_vs_host)
{
	static const host_fn sub[4] = HOST_ROW(sub), add[4] = HOST_ROW(add);
	unsigned bad = 0;

	for (unsigned si = 0; si < 4; si++) {
		unsigned sz = 1u << si;

		for (unsigned i = 0; i < 60; i++) {
			u64 a = operand(i) & mask_of(sz), b = operand(i + 7) & mask_of(sz);
			u64 hf = 0x2, res, fl_expect;
			u8 u[8];
			size_t n;

			/* sub reg, [rbx] : 2A/2B /r with reg = rcx */
			reset(X86_MODE_64);
			g.gpr[RBX] = ADDR;
			g.gpr[RCX] = a | (0x5555555555555555ull & ~mask_of(sz));
			ram_wr(ADDR, b, 8);
			n = enc(u, sz, 0x2a, 0x0b, false);
			CHECK_EQ(emu_bytes(u, n), X86EMU_OK);
			res = sub[si](a, b, &hf);
			fl_expect = hf & X86_RFLAGS_ARITH;
			if (sz == 4)
				bad += g.gpr[RCX] != (res & 0xffffffff);
			else if (sz == 8)
				bad += g.gpr[RCX] != res;
			else
				bad += g.gpr[RCX] != ((res & mask_of(sz)) | (0x5555555555555555ull & ~mask_of(sz)));
			bad += (g.rflags & X86_RFLAGS_ARITH) != fl_expect;
			bad += ram_rd(ADDR, 8) != b;

			/* add [rbx], imm8 (83 /0 ib, sign-extended); byte size uses 80 /0 ib */
			if (sz == 1)
				continue;
			reset(X86_MODE_64);
			g.gpr[RBX] = ADDR;
			ram_wr(ADDR, a, 8);
			n = enc(u, sz, 0x82, 0x03, false);	/* 0x82 + 1 = 0x83 */
			u[n++] = (u8)i * 37;
			CHECK_EQ(emu_bytes(u, n), X86EMU_OK);
			hf = 0x2;
			res = add[si](a, (u64)(s64)(s8)(u8)(i * 37), &hf);
			bad += ram_rd(ADDR, sz) != (res & mask_of(sz));
			bad += (g.rflags & X86_RFLAGS_ARITH) != (hf & X86_RFLAGS_ARITH);
		}
	}
	CHECK_EQ(bad, 0);
}

TEST(unary_vs_host)
{
	static const struct { u8 opc; u8 modrm; host_fn host[4]; u64 fmask; } un[] = {
		{ 0xf6, 0x13, HOST_ROW(not), 0 },
		{ 0xf6, 0x1b, HOST_ROW(neg), X86_RFLAGS_ARITH },
		{ 0xfe, 0x03, HOST_ROW(inc), X86_RFLAGS_ARITH },	/* CF preserved: checked */
		{ 0xfe, 0x0b, HOST_ROW(dec), X86_RFLAGS_ARITH },
	};
	unsigned bad = 0;

	for (unsigned o = 0; o < ARRAY_SIZE(un); o++) {
		for (unsigned si = 0; si < 4; si++) {
			unsigned sz = 1u << si;

			for (unsigned i = 0; i < 80; i++) {
				u64 a = operand(i) & mask_of(sz);
				u64 fin = 0x2 | (i & 1 ? X86_RFLAGS_CF : 0) | (i & 2 ? X86_RFLAGS_OF : 0);
				u64 hf = fin, res;
				u8 u[8];
				size_t n;

				reset(X86_MODE_64);
				g.rflags = fin;
				g.gpr[RBX] = ADDR;
				ram_wr(ADDR, a, 8);
				n = enc(u, sz, un[o].opc, un[o].modrm, false);
				if (emu_bytes(u, n) != X86EMU_OK) {
					bad++;
					continue;
				}
				res = un[o].host[si](a, 0, &hf);
				bad += ram_rd(ADDR, sz) != (res & mask_of(sz));
				if (sz < 8)
					bad += ram_rd(ADDR + sz, 1) != ((a >> (8 * sz)) & 0xff);
				bad += (g.rflags & un[o].fmask) != (hf & un[o].fmask);
				bad += g.rflags != (fin & ~un[o].fmask) + (g.rflags & un[o].fmask);
			}
		}
	}
	CHECK_EQ(bad, 0);
}

TEST(xadd_cmpxchg_vs_host)
{
	static const host_fn xadd[4] = HOST_ROW(xadd);
	static u64 (*const cx[4])(u64, u64, u64 *, u64 *) = { host_cx_1, host_cx_2, host_cx_4, host_cx_8 };
	unsigned bad = 0;

	for (unsigned si = 0; si < 4; si++) {
		unsigned sz = 1u << si;

		for (unsigned i = 0; i < 60; i++) {
			u64 a = operand(i) & mask_of(sz), b = operand(i * 3 + 1) & mask_of(sz);
			u64 acc = (i & 1) ? a : operand(i + 5) & mask_of(sz);
			u64 hf = 0x2, hacc = acc, res;
			u8 u[8];
			size_t n;

			/* xadd [rbx], rcx */
			reset(X86_MODE_64);
			g.gpr[RBX] = ADDR;
			g.gpr[RCX] = b;
			ram_wr(ADDR, a, 8);
			n = enc(u, sz, 0xc0, 0x0b, true);
			CHECK_EQ(emu_bytes(u, n), X86EMU_OK);
			res = xadd[si](a, b, &hf);	/* host: x = a + b */
			bad += ram_rd(ADDR, sz) != (res & mask_of(sz));
			bad += (g.gpr[RCX] & mask_of(sz)) != a;
			bad += (g.rflags & X86_RFLAGS_ARITH) != (hf & X86_RFLAGS_ARITH);

			/* cmpxchg [rbx], rcx with accumulator rax */
			reset(X86_MODE_64);
			g.gpr[RBX] = ADDR;
			g.gpr[RCX] = b;
			g.gpr[RAX] = acc | 0xcafe000000000000ull * (sz < 8);
			ram_wr(ADDR, a, 8);
			n = enc(u, sz, 0xb0, 0x0b, true);
			CHECK_EQ(emu_bytes(u, n), X86EMU_OK);
			hf = 0x2;
			res = cx[si](a, b, &hacc, &hf);
			bad += ram_rd(ADDR, sz) != (res & mask_of(sz));
			bad += (g.rflags & X86_RFLAGS_ARITH) != (hf & X86_RFLAGS_ARITH);
			if (acc == a) {		/* success: RAX untouched */
				bad += g.gpr[RAX] != (acc | 0xcafe000000000000ull * (sz < 8));
			} else if (sz == 4) {	/* 32-bit write zero-extends */
				bad += g.gpr[RAX] != hacc;
			} else {
				bad += (g.gpr[RAX] & mask_of(sz)) != hacc;
			}
		}
	}
	CHECK_EQ(bad, 0);
}

/* SETcc for all 16 conditions and all combinations of the flags they read. */
#define HOST_SET(cc) \
static u8 host_set##cc(u64 f) \
{ \
	u8 r; \
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\tset" #cc " %[r]\n\t" \
			 "lea 128(%%rsp), %%rsp" : [r] "=r"(r) : [f] "r"(f) : "cc", "memory"); \
	return r; \
}
HOST_SET(o) HOST_SET(no) HOST_SET(b) HOST_SET(ae) HOST_SET(e) HOST_SET(ne) HOST_SET(be) HOST_SET(a)
HOST_SET(s) HOST_SET(ns) HOST_SET(p) HOST_SET(np) HOST_SET(l) HOST_SET(ge) HOST_SET(le) HOST_SET(g)

TEST(setcc_vs_host)
{
	static u8 (*const host[16])(u64) = {
		host_seto, host_setno, host_setb, host_setae, host_sete, host_setne, host_setbe,
		host_seta, host_sets, host_setns, host_setp, host_setnp, host_setl, host_setge,
		host_setle, host_setg,
	};
	static const u64 bitv[5] = { X86_RFLAGS_CF, X86_RFLAGS_PF, X86_RFLAGS_ZF, X86_RFLAGS_SF,
				     X86_RFLAGS_OF };
	unsigned bad = 0;

	for (unsigned cc = 0; cc < 16; cc++) {
		for (unsigned m = 0; m < 32; m++) {
			u64 f = 0x2;
			u8 u[4] = { 0x0f, (u8)(0x90 + cc), 0x03 };

			for (unsigned k = 0; k < 5; k++)
				if (m & (1u << k))
					f |= bitv[k];
			reset(X86_MODE_64);
			g.rflags = f;
			g.gpr[RBX] = ADDR;
			ram_wr(ADDR, 0x5a5a, 2);
			CHECK_EQ(emu_bytes(u, 3), X86EMU_OK);
			bad += ram_rd(ADDR, 1) != host[cc](f);
			bad += ram_rd(ADDR + 1, 1) != 0x5a;
			bad += g.rflags != f;
		}
	}
	CHECK_EQ(bad, 0);

	/* register destination: setne bh (no REX) writes BH */
	reset(X86_MODE_64);
	CHECK_EQ(emu("0f 95 c7"), X86EMU_OK);
	CHECK_EQ(g.gpr[RBX], 0x4444444444440144ull);
}

/* ---- MOV and friends on MMIO -------------------------------------------- */

/* ---- single instructions: registers, MMIO accesses and flags ------------ */

#define MM MMIO_BASE
#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64
#define RD_ false
#define WR_ true

struct reg_val {
	u8 r;			/* register + 1; 0 ends the list */
	u64 v;
};

/*
 * One instruction on a fresh guest. Every register not in `out` must keep
 * its value, the MMIO log must be exactly `acc`, and RFLAGS must be
 * unchanged unless `flags` gives the expected arithmetic flags.
 */
struct ecase {
	int line;
	enum x86_cpu_mode mode;
	const char *hex;
	int rc;
	struct reg_val in[3], out[2];
	u64 rd[2];		/* MMIO read results */
	struct access acc[2];
	unsigned nacc;
	bool chk_flags;
	u64 flags, rflags, rip, seg[6];
};

#define E(mode, hex, ...) { __LINE__, mode, hex, __VA_ARGS__ }
#define R(r, v) { (r) + 1, (v) }
#define IN(...) .in = { __VA_ARGS__ }
#define OUT(...) .out = { __VA_ARGS__ }
#define RD(...) .rd = { __VA_ARGS__ }
#define LOG1(a, s, w, v) .acc = { { a, s, w##_, v } }, .nacc = 1
#define LOG2(a, s, w, v, a2, s2, w2, v2) .acc = { { a, s, w##_, v }, { a2, s2, w2##_, v2 } }, .nacc = 2
#define FLAGS(f) .chk_flags = true, .flags = (f)
#define CF X86_RFLAGS_CF
#define PF X86_RFLAGS_PF
#define AF X86_RFLAGS_AF
#define ZF X86_RFLAGS_ZF
#define SF X86_RFLAGS_SF
#define OF X86_RFLAGS_OF

static const struct ecase ecases[] = {
	/* MOV to and from MMIO, partial registers */
	E(M64, "89 08", IN(R(RAX, MM + 0x30), R(RCX, 0xaaaaaaaa12345678ull)), LOG1(MM + 0x30, 4, WR, 0x12345678)),
	E(M64, "8b 05 1a 10 00 00", .rip = MM - 0x1000, RD(0xdeadbeef),	/* next RIP + 0x101a */
	  LOG1(MM + 0x20, 4, RD, 0xdeadbeef), OUT(R(RAX, 0xdeadbeef))),
	E(M64, "66 8b 08", IN(R(RAX, MM)), RD(0xbeef), LOG1(MM, 2, RD, 0xbeef), OUT(R(RCX, 0x222222222222beefull))),
	E(M64, "8a 23", IN(R(RBX, MM + 1)), RD(0x99), LOG1(MM + 1, 1, RD, 0x99), OUT(R(RAX, 0x1111111111119911ull))),
	E(M64, "40 8a 23", IN(R(RBX, MM + 1)), RD(0x98), LOG1(MM + 1, 1, RD, 0x98), OUT(R(RSP, 0x5555555555555598ull))),
	E(M64, "44 8a 03", IN(R(RBX, MM)), RD(0x97), LOG1(MM, 1, RD, 0x97), OUT(R(R8, 0x9999999999999997ull))),
	E(M64, "88 3b", IN(R(RBX, MM + 0x10)), LOG1(MM + 0x10, 1, WR, 0)),		/* BH */
	E(M64, "40 88 3b", IN(R(RBX, MM + 0x10), R(RDI, 0x80)), LOG1(MM + 0x10, 1, WR, 0x80)),	/* DIL */
	E(M64, "c7 80 00 03 00 00 ef be ad de", IN(R(RAX, MM - 0x300)), LOG1(MM, 4, WR, 0xdeadbeef)),
	E(M64, "48 c7 00 fe ff ff ff", IN(R(RAX, MM + 8)), LOG1(MM + 8, 8, WR, 0xfffffffffffffffeull)),
	E(M64, "c6 00 80", IN(R(RAX, MM + 8)), LOG1(MM + 8, 1, WR, 0x80)),
	E(M64, "66 c7 00 34 12", IN(R(RAX, MM + 8)), LOG1(MM + 8, 2, WR, 0x1234)),
	E(M64, "48 0f c3 08", IN(R(RAX, MM + 0x40)), LOG1(MM + 0x40, 8, WR, 0x2222222222222222ull)),	/* MOVNTI */
	E(M64, "48 a1 00 01 e0 fe 00 00 00 00", RD(0x0123456789abcdefull),
	  LOG1(MM + 0x100, 8, RD, 0x0123456789abcdefull), OUT(R(RAX, 0x0123456789abcdefull))),
	E(M64, "a2 ff 0f e0 fe 00 00 00 00", LOG1(MM + 0xfff, 1, WR, 0x11)),
	E(M64, "b8 ff ff ff ff", OUT(R(RAX, 0xffffffff))),
	E(M64, "41 b0 12", OUT(R(R8, 0x9999999999999912ull))),
	E(M64, "b4 34", OUT(R(RAX, 0x1111111111113411ull))),

	/* MOVZX / MOVSX / MOVSXD */
	E(M64, "0f b6 03", IN(R(RBX, MM)), RD(0x80), LOG1(MM, 1, RD, 0x80), OUT(R(RAX, 0x80))),
	E(M64, "0f be 0b", IN(R(RBX, MM)), RD(0x80), LOG1(MM, 1, RD, 0x80), OUT(R(RCX, 0xffffff80))),
	E(M64, "48 0f be 13", IN(R(RBX, MM)), RD(0x80), LOG1(MM, 1, RD, 0x80), OUT(R(RDX, 0xffffffffffffff80ull))),
	E(M64, "66 0f be 33", IN(R(RBX, MM)), RD(0x80), LOG1(MM, 1, RD, 0x80), OUT(R(RSI, 0x777777777777ff80ull))),
	E(M64, "0f bf 3b", IN(R(RBX, MM)), RD(0x8080), LOG1(MM, 2, RD, 0x8080), OUT(R(RDI, 0xffff8080))),
	E(M64, "4c 0f b7 03", IN(R(RBX, MM)), RD(0x8080), LOG1(MM, 2, RD, 0x8080), OUT(R(R8, 0x8080))),
	E(M64, "48 63 03", IN(R(RBX, MM)), RD(0x80000000), LOG1(MM, 4, RD, 0x80000000),
	  OUT(R(RAX, 0xffffffff80000000ull))),
	E(M64, "63 0b", IN(R(RBX, MM)), RD(0x80000000), LOG1(MM, 4, RD, 0x80000000), OUT(R(RCX, 0x80000000))),
	E(M64, "66 63 13", IN(R(RBX, MM)), RD(0x8000), LOG1(MM, 2, RD, 0x8000), OUT(R(RDX, 0x3333333333338000ull))),
	E(M64, "0f b6 c7", IN(R(RBX, 0xf000)), OUT(R(RAX, 0xf0))),			/* movzx eax, bh */
	E(M64, "48 63 c1", IN(R(RCX, 0x1280000000ull)), OUT(R(RAX, 0xffffffff80000000ull))),	/* movsxd rax, ecx */
	E(M64, "40 0f be ce", IN(R(RSI, 0x85)), OUT(R(RCX, 0xffffff85))),		/* movsx ecx, sil */

	/* addressing: SIB, segments, address-size wrap */
	E(M64, "8b 44 8b 08", IN(R(RBX, MM), R(RCX, 0x10)), LOG1(MM + 0x48, 4, RD, 0), OUT(R(RAX, 0))),
	E(M64, "26 8b 03", .seg = { [X86_SEG_ES] = 0x1000, [X86_SEG_DS] = 0x1000 }, IN(R(RBX, MM + 4)),
	  LOG1(MM + 4, 4, RD, 0), OUT(R(RAX, 0))),
	E(M64, "64 8b 04 25 10 00 00 00", .seg = { [X86_SEG_FS] = MM }, LOG1(MM + 0x10, 4, RD, 0), OUT(R(RAX, 0))),
	E(M64, "65 88 04 25 ff ff ff ff", .seg = { [X86_SEG_GS] = MM + 0x800 }, LOG1(MM + 0x7ff, 1, WR, 0x11)),
	E(M64, "67 8b 03", IN(R(RBX, 0x1fee00010ull)), LOG1(MM + 0x10, 4, RD, 0), OUT(R(RAX, 0))),
	E(M64, "64 67 8b 43 01", .seg = { [X86_SEG_FS] = MM }, IN(R(RBX, 0xffffffff)),	/* ebx + 1 wraps */
	  LOG1(MM, 4, RD, 0), OUT(R(RAX, 0))),
	E(M64, "64 8b 43 01", .seg = { [X86_SEG_FS] = MM }, IN(R(RBX, 0xffffffff)), .rc = X86EMU_UNHANDLED),
	E(M32, "8b 03", .seg = { [X86_SEG_DS] = 0x100 }, IN(R(RBX, MM - 0x100)), LOG1(MM, 4, RD, 0), OUT(R(RAX, 0))),
	E(M32, "8b 45 04", .seg = { [X86_SEG_SS] = MM }, IN(R(RBP, 0x40)), LOG1(MM + 0x44, 4, RD, 0), OUT(R(RAX, 0))),
	E(M32, "8b 83 00 00 00 00", .seg = { [X86_SEG_DS] = 0xfff00000 }, IN(R(RBX, 0xabcd0000fef00010ull)),
	  LOG1(MM + 0x10, 4, RD, 0), OUT(R(RAX, 0))),		/* base + ebx wraps at 4 GiB */
	E(M16, "8b 46 02", .seg = { [X86_SEG_SS] = MM }, IN(R(RBP, 0xffff)), LOG1(MM + 1, 2, RD, 0),
	  OUT(R(RAX, 0x1111111111110000ull))),			/* bp + 2 wraps at 64 KiB */
	E(M16, "89 08", .seg = { [X86_SEG_DS] = MM + 0x100 }, IN(R(RBX, 0x10), R(RSI, 0x20)),
	  LOG1(MM + 0x130, 2, WR, 0x2222)),

	/* read-modify-write: a read then a write of the same address; CMP/TEST/BT only read */
	E(M64, "f0 01 08", IN(R(RAX, MM + 0x300), R(RCX, 0xffffffff)), RD(1),
	  LOG2(MM + 0x300, 4, RD, 1, MM + 0x300, 4, WR, 0), FLAGS(CF | ZF | PF | AF)),
	E(M64, "83 38 05", IN(R(RAX, MM)), RD(5), LOG1(MM, 4, RD, 5), FLAGS(ZF | PF)),
	E(M64, "f7 00 03 00 00 00", IN(R(RAX, MM)), RD(4), LOG1(MM, 4, RD, 4), FLAGS(ZF | PF)),
	E(M64, "0f ba 20 04", IN(R(RAX, MM)), RD(0x10), LOG1(MM, 4, RD, 0x10), FLAGS(CF)),
	E(M64, "66 81 08 00 80", IN(R(RAX, MM + 0x80)), RD(1), LOG2(MM + 0x80, 2, RD, 1, MM + 0x80, 2, WR, 0x8001),
	  FLAGS(SF)),
	E(M64, "80 60 01 f0", IN(R(RAX, MM + 0x80)), RD(0x3c), LOG2(MM + 0x81, 1, RD, 0x3c, MM + 0x81, 1, WR, 0x30),
	  FLAGS(PF)),
	E(M64, "81 30 ff ff ff ff", IN(R(RAX, MM)), RD(0xffffffff), LOG2(MM, 4, RD, 0xffffffff, MM, 4, WR, 0),
	  FLAGS(ZF | PF)),
	E(M64, "f6 10", IN(R(RAX, MM)), RD(0x0f), LOG2(MM, 1, RD, 0x0f, MM, 1, WR, 0xf0)),	/* NOT: no flags */
	E(M64, "f7 18", IN(R(RAX, MM)), RD(1), LOG2(MM, 4, RD, 1, MM, 4, WR, 0xffffffff), FLAGS(CF | SF | PF | AF)),
	E(M64, "ff 00", IN(R(RAX, MM)), RD(0x7fffffff), LOG2(MM, 4, RD, 0x7fffffff, MM, 4, WR, 0x80000000),
	  FLAGS(OF | SF | AF | PF)),
	E(M64, "48 ff 08", .rflags = 2 | CF, IN(R(RAX, MM)), RD(0), LOG2(MM, 8, RD, 0, MM, 8, WR, ~0ull),
	  FLAGS(CF | SF | AF | PF)),				/* DEC keeps CF */
	E(M64, "03 08", IN(R(RAX, MM), R(RCX, 0xffffffff00000001ull)), RD(0x7fffffff),
	  LOG1(MM, 4, RD, 0x7fffffff), OUT(R(RCX, 0x80000000)), FLAGS(OF | SF | AF | PF)),
	E(M64, "04 80", IN(R(RAX, 0x80)), OUT(R(RAX, 0)), FLAGS(CF | OF | ZF | PF)),
	E(M32, "47", IN(R(RDI, 0xffffffff)), OUT(R(RDI, 0)), FLAGS(ZF | PF | AF)),

	/* XCHG, CMPXCHG (always writes), XADD */
	E(M64, "87 0b", IN(R(RBX, MM), R(RCX, 0x1234)), RD(0xffff0000),
	  LOG2(MM, 4, RD, 0xffff0000, MM, 4, WR, 0x1234), OUT(R(RCX, 0xffff0000))),
	E(M64, "f0 0f b1 0b", IN(R(RBX, MM), R(RAX, 0xaaaaaaaa00000005ull), R(RCX, 9)), RD(5),
	  LOG2(MM, 4, RD, 5, MM, 4, WR, 9), FLAGS(ZF | PF)),	/* equal: RAX untouched */
	E(M64, "0f b1 0b", IN(R(RBX, MM), R(RAX, 0xaaaaaaaa00000005ull), R(RCX, 9)), RD(7),
	  LOG2(MM, 4, RD, 7, MM, 4, WR, 7), OUT(R(RAX, 7)), FLAGS(CF | SF | AF)),
	E(M64, "48 0f c1 0b", IN(R(RBX, MM), R(RCX, 1)), RD(~0ull), LOG2(MM, 8, RD, ~0ull, MM, 8, WR, 0),
	  OUT(R(RCX, ~0ull)), FLAGS(CF | ZF | PF | AF)),

	/* BT*: register offsets address outside the operand, immediates wrap */
	E(M64, "0f a3 0b", IN(R(RBX, MM + 0x100), R(RCX, 0xffffffff)), RD(0x80000000),
	  LOG1(MM + 0xfc, 4, RD, 0x80000000), FLAGS(CF)),	/* offset -1 */
	E(M64, "0f ab 0b", IN(R(RBX, MM + 0x100), R(RCX, 35)), RD(1),
	  LOG2(MM + 0x104, 4, RD, 1, MM + 0x104, 4, WR, 9), FLAGS(0)),
	E(M64, "66 0f b3 0b", IN(R(RBX, MM + 0x100), R(RCX, 0xffff0011)), RD(0xffff),
	  LOG2(MM + 0x102, 2, RD, 0xffff, MM + 0x102, 2, WR, 0xfffd), FLAGS(CF)),
	E(M64, "48 0f bb 0b", IN(R(RBX, MM + 0x100), R(RCX, (u64)-65)), RD(0),
	  LOG2(MM + 0xf0, 8, RD, 0, MM + 0xf0, 8, WR, 1ull << 63), FLAGS(0)),
	E(M64, "0f ba 2b 24", IN(R(RBX, MM + 0x100)), RD(0),
	  LOG2(MM + 0x100, 4, RD, 0, MM + 0x100, 4, WR, 0x10), FLAGS(0)),	/* bit 36 % 32 */
	E(M64, "66 0f ba 33 13", IN(R(RBX, MM + 0x100)), RD(0xff),
	  LOG2(MM + 0x100, 2, RD, 0xff, MM + 0x100, 2, WR, 0xf7), FLAGS(CF)),	/* bit 19 % 16 */
	E(M64, "0f a3 c8", IN(R(RAX, 0x100), R(RCX, 40)), FLAGS(CF)),
	E(M64, "0f 95 c7", OUT(R(RBX, 0x4444444444440144ull))),			/* setne bh */
};

static void check_ecase(const struct ecase *c)
{
	u64 expect[16], rflags0;
	int before = test_failures;

	reset(c->mode);
	if (c->rip)
		g.rip = c->rip;
	if (c->rflags)
		g.rflags = c->rflags;
	memcpy(g.seg_base, c->seg, sizeof(g.seg_base));
	for (unsigned i = 0; i < ARRAY_SIZE(c->in) && c->in[i].r; i++)
		g.gpr[c->in[i].r - 1] = c->in[i].v;
	memcpy(g.mmio_rd, c->rd, sizeof(c->rd));
	memcpy(expect, g.gpr, sizeof(expect));
	for (unsigned i = 0; i < ARRAY_SIZE(c->out) && c->out[i].r; i++)
		expect[c->out[i].r - 1] = c->out[i].v;
	rflags0 = g.rflags;

	CHECK_EQ(emu(c->hex), c->rc);
	CHECK_EQ(g.nlog, c->nacc);
	for (unsigned i = 0; i < c->nacc; i++)
		CHECK_ACC(i, c->acc[i].gla, c->acc[i].size, c->acc[i].write, c->acc[i].val);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(g.gpr[i], expect[i]);
	if (c->chk_flags) {
		CHECK_EQ(g.rflags & X86_RFLAGS_ARITH, c->flags);
		CHECK_EQ(g.rflags & ~X86_RFLAGS_ARITH, rflags0 & ~X86_RFLAGS_ARITH);
	} else {
		CHECK_EQ(g.rflags, rflags0);
	}
	if (test_failures != before)
		fprintf(stderr, "  ^ case at line %d: \"%s\"\n", c->line, c->hex);
}

TEST(single_instructions)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ecases); i++)
		check_ecase(&ecases[i]);
}

TEST(movs)
{
	/* movsd RAM -> MMIO */
	reset(X86_MODE_64);
	g.gpr[RSI] = RAM_BASE + 0x10;
	g.gpr[RDI] = MMIO_BASE + 0x20;
	ram_wr(RAM_BASE + 0x10, 0xcafef00d, 4);
	CHECK_EQ(emu("a5"), X86EMU_OK);
	CHECK_ACC(0, MMIO_BASE + 0x20, 4, true, 0xcafef00d);
	CHECK_EQ(g.gpr[RSI], RAM_BASE + 0x14);
	CHECK_EQ(g.gpr[RDI], MMIO_BASE + 0x24);

	/* movsq MMIO -> RAM, backwards */
	reset(X86_MODE_64);
	g.rflags |= X86_RFLAGS_DF;
	g.gpr[RSI] = MMIO_BASE + 0x20;
	g.gpr[RDI] = RAM_BASE + 0x100;
	g.mmio_rd[0] = 0x1122334455667788ull;
	CHECK_EQ(emu("48 a5"), X86EMU_OK);
	CHECK_EQ(ram_rd(RAM_BASE + 0x100, 8), 0x1122334455667788ull);
	CHECK_EQ(g.gpr[RSI], MMIO_BASE + 0x18);
	CHECK_EQ(g.gpr[RDI], RAM_BASE + 0xf8);

	/* rep movsb: one iteration per call, RETRY until RCX reaches 0 */
	reset(X86_MODE_64);
	g.gpr[RSI] = RAM_BASE;
	g.gpr[RDI] = MMIO_BASE;
	g.gpr[RCX] = 3;
	memcpy(g.ram, "abc", 3);
	CHECK_EQ(emu("f3 a4"), X86EMU_RETRY);
	CHECK_EQ(g.gpr[RCX], 2);
	CHECK_EQ(emu("f3 a4"), X86EMU_RETRY);
	CHECK_EQ(emu("f3 a4"), X86EMU_OK);
	CHECK_EQ(g.gpr[RCX], 0);
	CHECK_EQ(g.nlog, 3);
	CHECK_ACC(0, MMIO_BASE, 1, true, 'a');
	CHECK_ACC(2, MMIO_BASE + 2, 1, true, 'c');
	CHECK_EQ(g.gpr[RDI], MMIO_BASE + 3);
	CHECK_EQ(emu("f3 a4"), X86EMU_OK);	/* RCX = 0: nothing at all */
	CHECK_EQ(g.nlog, 3);
	CHECK_EQ(g.gpr[RSI], RAM_BASE + 3);

	/* REPNE behaves as REP for MOVS; 67 counts in ECX and wraps ESI */
	reset(X86_MODE_64);
	g.gpr[RSI] = 0xdeadbeef00000000ull | (u32)(RAM_BASE + 0x20);
	g.gpr[RDI] = MMIO_BASE + 0x40;
	g.gpr[RCX] = 0x100000001ull;		/* ECX = 1 */
	CHECK_EQ(emu("67 f2 a5"), X86EMU_OK);
	CHECK_EQ(g.gpr[RCX], 0);		/* 32-bit write clears the upper half */
	CHECK_EQ(g.gpr[RSI], RAM_BASE + 0x24);
	CHECK_EQ(g.log[0].gla, MMIO_BASE + 0x40);

	/* 16-bit addresses: SI wraps, upper bits of RSI kept */
	reset(X86_MODE_16);
	g.seg_base[X86_SEG_DS] = RAM_BASE;
	g.seg_base[X86_SEG_ES] = MMIO_BASE;
	g.gpr[RSI] = 0x1234ffff;
	g.gpr[RDI] = 0x10;
	g.ram[0xffff] = 0x42;
	CHECK_EQ(emu("a4"), X86EMU_OK);
	CHECK_ACC(0, MMIO_BASE + 0x10, 1, true, 0x42);
	CHECK_EQ(g.gpr[RSI], 0x12340000);
	CHECK_EQ(g.gpr[RDI], 0x11);

	/* segment override on the source; the destination is always ES */
	reset(X86_MODE_64);
	g.seg_base[X86_SEG_FS] = RAM_BASE;
	g.seg_base[X86_SEG_ES] = 0x5000;	/* ignored in 64-bit mode */
	g.gpr[RSI] = 0x30;
	g.gpr[RDI] = MMIO_BASE;
	ram_wr(RAM_BASE + 0x30, 0x77, 1);
	CHECK_EQ(emu("64 a4"), X86EMU_OK);
	CHECK_ACC(0, MMIO_BASE, 1, true, 0x77);
}

TEST(movs_fault)
{
	/* the destination faults after the MMIO source was read: no register moves */
	reset(X86_MODE_64);
	g.gpr[RSI] = MMIO_BASE;
	g.gpr[RDI] = FAULT_BASE + 0x10;
	g.gpr[RCX] = 5;
	g.mmio_rd[0] = 0x1234;
	CHECK_EQ(emu("f3 66 a5"), X86EMU_EXCEPTION);
	CHECK_EQ(g.nlog, 1);
	CHECK_EQ(g.faults, 1);
	CHECK_EQ(g.gpr[RSI], MMIO_BASE);
	CHECK_EQ(g.gpr[RDI], FAULT_BASE + 0x10);
	CHECK_EQ(g.gpr[RCX], 5);

	/* the source faults: nothing written */
	reset(X86_MODE_64);
	g.gpr[RSI] = FAULT_BASE;
	g.gpr[RDI] = MMIO_BASE;
	CHECK_EQ(emu("a4"), X86EMU_EXCEPTION);
	CHECK_EQ(g.nlog, 0);

	/* an RMW whose read faults leaves flags alone */
	reset(X86_MODE_64);
	g.gpr[RAX] = FAULT_BASE;
	g.rflags = 0x2 | X86_RFLAGS_CF;
	CHECK_EQ(emu("01 08"), X86EMU_EXCEPTION);
	CHECK_EQ(g.rflags, 0x2 | X86_RFLAGS_CF);

	/* xchg whose write faults: the register keeps its value */
	reset(X86_MODE_64);
	g.gpr[RAX] = ROM_BASE;
	CHECK_EQ(emu("87 08"), X86EMU_EXCEPTION);
	CHECK_EQ(g.gpr[RCX], 0x2222222222222222ull);
	CHECK_EQ(g.faults, 1);

	/* so does a cmpxchg, and the flags stay */
	g.gpr[RAX] = ROM_BASE;
	CHECK_EQ(emu("0f b1 08"), X86EMU_EXCEPTION);
	CHECK_EQ(g.gpr[RAX], ROM_BASE);
	CHECK_EQ(g.rflags, 2);

	/* an access the callback cannot place makes the emulator give up */
	reset(X86_MODE_64);
	g.gpr[RAX] = 0x123456789ull;
	CHECK_EQ(emu("87 08"), X86EMU_UNHANDLED);
	CHECK_EQ(g.gpr[RCX], 0x2222222222222222ull);
}

TEST(stos_lods_cmps_scas)
{
	/* rep stosq to MMIO */
	reset(X86_MODE_64);
	g.gpr[RAX] = 0x0102030405060708ull;
	g.gpr[RDI] = MMIO_BASE + 0x100;
	g.gpr[RCX] = 2;
	CHECK_EQ(emu("f3 48 ab"), X86EMU_RETRY);
	CHECK_EQ(emu("f3 48 ab"), X86EMU_OK);
	CHECK_ACC(0, MMIO_BASE + 0x100, 8, true, 0x0102030405060708ull);
	CHECK_ACC(1, MMIO_BASE + 0x108, 8, true, 0x0102030405060708ull);
	CHECK_EQ(g.gpr[RSI], 0x7777777777777777ull);	/* STOS leaves RSI */

	/* lodsb / lodsd from MMIO */
	reset(X86_MODE_64);
	g.gpr[RSI] = MMIO_BASE;
	g.mmio_rd[0] = 0xab;
	g.mmio_rd[1] = 0x89abcdef;
	CHECK_EQ(emu("ac"), X86EMU_OK);
	CHECK_EQ(g.gpr[RAX], 0x11111111111111abull);
	CHECK_EQ(emu("ad"), X86EMU_OK);
	CHECK_EQ(g.gpr[RAX], 0x89abcdef);
	CHECK_EQ(g.gpr[RSI], MMIO_BASE + 5);
	CHECK_EQ(g.gpr[RDI], 0x8888888888888888ull);

	/* repe cmpsb stops at the first difference */
	reset(X86_MODE_64);
	g.gpr[RSI] = RAM_BASE;
	g.gpr[RDI] = RAM_BASE + 0x100;
	g.gpr[RCX] = 10;
	memcpy(g.ram, "abcX", 4);
	memcpy(g.ram + 0x100, "abcY", 4);
	CHECK_EQ(emu("f3 a6"), X86EMU_RETRY);
	CHECK_EQ(emu("f3 a6"), X86EMU_RETRY);
	CHECK_EQ(emu("f3 a6"), X86EMU_RETRY);
	CHECK_EQ(emu("f3 a6"), X86EMU_OK);
	CHECK_EQ(g.gpr[RCX], 6);
	CHECK(!(g.rflags & X86_RFLAGS_ZF));
	CHECK(g.rflags & X86_RFLAGS_CF);	/* 'X' < 'Y' */
	CHECK_EQ(g.gpr[RSI], RAM_BASE + 4);

	/* repne scasb finds a byte */
	reset(X86_MODE_64);
	g.gpr[RAX] = 'c';
	g.gpr[RDI] = RAM_BASE;
	g.gpr[RCX] = 10;
	memcpy(g.ram, "abcd", 4);
	CHECK_EQ(emu("f2 ae"), X86EMU_RETRY);
	CHECK_EQ(emu("f2 ae"), X86EMU_RETRY);
	CHECK_EQ(emu("f2 ae"), X86EMU_OK);
	CHECK(g.rflags & X86_RFLAGS_ZF);
	CHECK_EQ(g.gpr[RDI], RAM_BASE + 3);
	CHECK_EQ(g.gpr[RCX], 7);

	/* cmpsd reads DS:rSI first, then ES:rDI */
	reset(X86_MODE_64);
	g.gpr[RSI] = MMIO_BASE + 0x10;
	g.gpr[RDI] = MMIO_BASE + 0x20;
	g.mmio_rd[0] = 1;
	g.mmio_rd[1] = 2;
	CHECK_EQ(emu("a7"), X86EMU_OK);
	CHECK_EQ(g.log[0].gla, MMIO_BASE + 0x10);
	CHECK_EQ(g.log[1].gla, MMIO_BASE + 0x20);
	CHECK(g.rflags & X86_RFLAGS_CF);
	CHECK(g.rflags & X86_RFLAGS_SF);
}

TEST(unhandled)
{
	static const char *const hex[] = {
		"0f a2", "0f 32", "f4", "ec", "6c", "f3 6e", "0f 01 d9", "8d 04 40", "f7 20",
		"ff 10", "0f 20 c0", "90", "c1 20 04",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(hex); i++) {
		u64 saved[16];

		reset(X86_MODE_64);
		memcpy(saved, g.gpr, sizeof(saved));
		CHECK_EQ(emu(hex[i]), X86EMU_UNHANDLED);
		CHECK_EQ(g.nlog, 0);
		CHECK(memcmp(saved, g.gpr, sizeof(saved)) == 0);
	}

	/* a corrupt insn is refused rather than trusted */
	{
		struct x86_insn in;
		u8 b[] = { 0x89, 0x08 };

		reset(X86_MODE_64);
		CHECK_EQ(x86_decode(b, 2, X86_MODE_64, &in), 0);
		in.opsize = 3;
		CHECK_EQ(x86_emulate(&in, &ops, &g), X86EMU_UNHANDLED);
		in.opsize = 4;
		in.seg = 9;
		CHECK_EQ(x86_emulate(&in, &ops, &g), X86EMU_UNHANDLED);
		CHECK_EQ(g.nlog, 0);
	}
}

TEST_MAIN({ "alu_flags_vs_host", alu_flags_vs_host }, { "alu_other_forms_vs_host", alu_other_forms_vs_host },
	  { "unary_vs_host", unary_vs_host }, { "xadd_cmpxchg_vs_host", xadd_cmpxchg_vs_host },
	  { "setcc_vs_host", setcc_vs_host }, { "single_instructions", single_instructions },
	  { "movs", movs }, { "movs_fault", movs_fault }, { "stos_lods_cmps_scas", stos_lods_cmps_scas },
	  { "unhandled", unhandled })
