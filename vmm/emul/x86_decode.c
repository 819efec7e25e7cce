// SPDX-License-Identifier: MIT
/*
 * x86_decode.c: total x86 instruction decoder for intercepted guest
 * instructions (lengths, operands, and what the emulator needs to know).
 *
 * Every byte comes from the guest, so each one is fetched through
 * dec_byte(), which enforces both `avail` and the 15-byte limit, and
 * everything not known for certain to have the same length on Intel and
 * AMD is rejected with -EINVAL.
 */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/x86emu.h>

/* Immediate kinds (low 4 bits of an opcode's attributes). */
enum {
	IMM_NONE,
	IMM_IB,		/* 8 bits, sign-extended */
	IMM_UB,		/* 8 bits, zero-extended (ports, counts, INT n) */
	IMM_UW,		/* 16 bits, zero-extended (RET n) */
	IMM_IZ,		/* 16 or 32 bits by operand size, sign-extended */
	IMM_IV,		/* 16, 32 or 64 bits by operand size */
	IMM_AP,		/* far pointer: offset (16/32) + selector */
	IMM_MOFFS,	/* offset of address size */
	IMM_JB,		/* rel8 */
	IMM_JZ,		/* rel16/rel32 */
	IMM_ENTER,	/* imm16 + imm8 */
};

#define A_IMM(x) (x)
#define A_IMM_MASK 0x000f
#define A_MODRM 0x0010	/* has a ModRM byte */
#define A_BYTE 0x0020	/* byte operand size */
#define A_I64 0x0040	/* invalid in 64-bit mode */
#define A_D64 0x0080	/* operand size defaults to 64 in 64-bit mode */
#define A_BAD 0x0100	/* invalid or not decoded with certainty */
#define A_MEM 0x0200	/* ModRM.mod must not be 3 (LEA, LES, ...) */
#define A_REGONLY 0x0400	/* ModRM always names registers (MOV CR/DR) */
#define A_ESC 0x0800	/* escape to the next map */

#define M A_MODRM
#define B A_BYTE
#define IB A_IMM(IMM_IB)
#define UB A_IMM(IMM_UB)
#define UW A_IMM(IMM_UW)
#define IZ A_IMM(IMM_IZ)
#define IV A_IMM(IMM_IV)
#define JB A_IMM(IMM_JB)
#define JZ A_IMM(IMM_JZ)

/* The ALU rows 00-3F: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  eAX,Iz */
#define ALU_ROW(o) [(o) + 0] = M | B, [(o) + 1] = M, [(o) + 2] = M | B, \
	[(o) + 3] = M, [(o) + 4] = IB | B, [(o) + 5] = IZ

static const u16 map_1b[256] = {
	ALU_ROW(0x00), [0x06] = A_I64, [0x07] = A_I64,
	ALU_ROW(0x08), [0x0e] = A_I64, [0x0f] = A_ESC,
	ALU_ROW(0x10), [0x16] = A_I64, [0x17] = A_I64,
	ALU_ROW(0x18), [0x1e] = A_I64, [0x1f] = A_I64,
	ALU_ROW(0x20), [0x27] = A_I64,		/* 26: ES prefix */
	ALU_ROW(0x28), [0x2f] = A_I64,		/* 2E: CS prefix */
	ALU_ROW(0x30), [0x37] = A_I64,		/* 36: SS prefix */
	ALU_ROW(0x38), [0x3f] = A_I64,		/* 3E: DS prefix */
	/* 40-4F: INC/DEC r (REX in 64-bit mode, eaten as a prefix) */
	[0x50 ... 0x5f] = A_D64,
	[0x60] = A_I64, [0x61] = A_I64,
	[0x62] = M | A_MEM | A_I64,		/* BOUND; EVEX when mod == 3 */
	[0x63] = M,				/* ARPL / MOVSXD */
	[0x68] = IZ | A_D64, [0x69] = M | IZ, [0x6a] = IB | A_D64, [0x6b] = M | IB,
	[0x6c] = B, [0x6e] = B,
	[0x70 ... 0x7f] = JB | A_D64,
	[0x80] = M | IB | B, [0x81] = M | IZ, [0x82] = M | IB | B | A_I64, [0x83] = M | IB,
	[0x84] = M | B, [0x85] = M, [0x86] = M | B, [0x87] = M,
	[0x88] = M | B, [0x89] = M, [0x8a] = M | B, [0x8b] = M,
	[0x8c] = M, [0x8d] = M | A_MEM, [0x8e] = M, [0x8f] = M | A_D64,
	[0x9a] = A_IMM(IMM_AP) | A_I64, [0x9c] = A_D64, [0x9d] = A_D64,
	[0xa0] = A_IMM(IMM_MOFFS) | B, [0xa1] = A_IMM(IMM_MOFFS),
	[0xa2] = A_IMM(IMM_MOFFS) | B, [0xa3] = A_IMM(IMM_MOFFS),
	[0xa4] = B, [0xa6] = B, [0xa8] = IB | B, [0xa9] = IZ,
	[0xaa] = B, [0xac] = B, [0xae] = B,
	[0xb0 ... 0xb7] = IB | B, [0xb8 ... 0xbf] = IV,
	[0xc0] = M | UB | B, [0xc1] = M | UB, [0xc2] = UW | A_D64, [0xc3] = A_D64,
	[0xc4] = M | A_MEM | A_I64, [0xc5] = M | A_MEM | A_I64,	/* LES/LDS; VEX */
	[0xc6] = M | IB | B, [0xc7] = M | IZ,
	[0xc8] = A_IMM(IMM_ENTER) | A_D64, [0xc9] = A_D64, [0xca] = UW, [0xcd] = UB,
	[0xce] = A_I64,
	[0xd0] = M | B, [0xd1] = M, [0xd2] = M | B, [0xd3] = M,
	[0xd4] = UB | A_I64, [0xd5] = UB | A_I64, [0xd6] = A_BAD,	/* SALC */
	[0xd8 ... 0xdf] = M,			/* x87 */
	[0xe0 ... 0xe3] = JB | A_D64,
	[0xe4] = UB | B, [0xe5] = UB, [0xe6] = UB | B, [0xe7] = UB,
	[0xe8] = JZ | A_D64, [0xe9] = JZ | A_D64, [0xea] = A_IMM(IMM_AP) | A_I64,
	[0xeb] = JB | A_D64, [0xec] = B, [0xee] = B,
	[0xf6] = M | B, [0xf7] = M,		/* group 3: TEST has an immediate */
	[0xfe] = M | B, [0xff] = M,
};

static const u16 map_0f[256] = {
	[0x00 ... 0x03] = M,
	[0x04] = A_BAD, [0x0a] = A_BAD, [0x0b] = A_BAD, [0x0c] = A_BAD,	/* UD2 */
	[0x0d] = M,
	[0x0e] = A_BAD, [0x0f] = A_BAD,		/* FEMMS, 3DNow! (AMD only) */
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | A_REGONLY,
	[0x24 ... 0x27] = A_BAD,
	[0x28 ... 0x2f] = M,
	[0x36] = A_BAD, [0x38] = A_ESC, [0x39] = A_BAD, [0x3a] = A_ESC,
	[0x3b ... 0x3f] = A_BAD,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = M | UB,
	[0x74 ... 0x76] = M,
	[0x78 ... 0x79] = M | A_D64,		/* VMREAD/VMWRITE; prefixed: SSE4a */
	[0x7a ... 0x7b] = A_BAD,
	[0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = JZ | A_D64,
	[0x90 ... 0x9f] = M | B,
	[0xa0] = A_D64, [0xa1] = A_D64, [0xa3] = M, [0xa4] = M | UB, [0xa5] = M,
	[0xa6] = A_BAD, [0xa7] = A_BAD, [0xa8] = A_D64, [0xa9] = A_D64,
	[0xab] = M, [0xac] = M | UB, [0xad] = M, [0xae] = M, [0xaf] = M,
	[0xb0] = M | B, [0xb1] = M, [0xb2] = M | A_MEM, [0xb3] = M,
	[0xb4] = M | A_MEM, [0xb5] = M | A_MEM, [0xb6 ... 0xb8] = M,
	[0xb9] = A_BAD,				/* UD1 */
	[0xba] = M | UB, [0xbb ... 0xbf] = M,
	[0xc0] = M | B, [0xc1] = M, [0xc2] = M | UB, [0xc3] = M | A_MEM,
	[0xc4 ... 0xc6] = M | UB, [0xc7] = M,
	[0xd0 ... 0xfe] = M,
	[0xff] = A_BAD,				/* UD0: ModRM on Intel only */
};

#undef M
#undef B
#undef IB
#undef UB
#undef UW
#undef IZ
#undef IV
#undef JB
#undef JZ

struct dec {
	const u8 *bytes;
	size_t avail;
	unsigned pos;
	struct x86_insn *in;
};

/* Next byte, or -EINVAL past 15 bytes, or -EAGAIN past what was given. */
static int dec_byte(struct dec *d)
{
	if (d->pos >= X86_MAX_INSN_LEN)
		return -EINVAL;
	if (d->pos >= d->avail)
		return -EAGAIN;
	return d->bytes[d->pos++];
}

/* An n-byte little-endian value (n <= 8), sign-extended if `sx`. */
static int dec_uint(struct dec *d, unsigned n, bool sx, u64 *val)
{
	u64 v = 0;

	for (unsigned i = 0; i < n; i++) {
		int b = dec_byte(d);

		if (b < 0)
			return b;
		v |= (u64)b << (8 * i);
	}
	if (sx && n && n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ull << (8 * n);
	*val = v;
	return 0;
}

static bool is_mode64(const struct x86_insn *in)
{
	return in->mode == X86_MODE_64;
}

/* Legacy and REX prefixes; returns the first opcode byte. */
static int dec_prefixes(struct dec *d)
{
	struct x86_insn *in = d->in;

	for (;;) {
		int b = dec_byte(d);

		if (b < 0)
			return b;
		switch (b) {
		case 0xf0:
			in->lock = true;
			break;
		case 0xf2:
			in->rep = X86_REP_REPNE;
			break;
		case 0xf3:
			in->rep = X86_REP_REPE;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			in->seg = (b >> 3) & 3;
			in->seg_override = true;
			break;
		case 0x64: case 0x65:
			in->seg = b - 0x64 + X86_SEG_FS;
			in->seg_override = true;
			break;
		case 0x66:
			in->opsize_prefix = true;
			break;
		case 0x67:
			in->addrsize_prefix = true;
			break;
		default:
			if (is_mode64(in) && (b & 0xf0) == 0x40) {
				in->rex = b;	/* only the last, if adjacent to the opcode */
				continue;
			}
			return b;
		}
		in->rex = 0;		/* a legacy prefix after REX voids it */
	}
}

static void dec_sizes(struct x86_insn *in, u16 attr)
{
	if (is_mode64(in))
		in->addrsize = in->addrsize_prefix ? 4 : 8;
	else if (in->mode == X86_MODE_32)
		in->addrsize = in->addrsize_prefix ? 2 : 4;
	else
		in->addrsize = in->addrsize_prefix ? 4 : 2;

	if (attr & A_BYTE)
		in->opsize = 1;
	else if (is_mode64(in) && (in->rex & 8))
		in->opsize = 8;
	else if (is_mode64(in) && (attr & A_D64))
		in->opsize = in->opsize_prefix ? 2 : 8;
	else if (in->mode == X86_MODE_16)
		in->opsize = in->opsize_prefix ? 4 : 2;
	else
		in->opsize = in->opsize_prefix ? 2 : 4;
}

/* ModRM memory operand (mod != 3): SIB, displacement, default segment. */
static int dec_mem(struct dec *d, unsigned mod, unsigned rm)
{
	struct x86_insn *in = d->in;
	unsigned dsize = 0;
	u64 disp = 0;
	int rc;

	in->has_mem = true;
	in->index = X86_REG_NONE;
	in->scale = 1;
	if (in->addrsize == 2) {
		static const u8 base16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
					      X86_RSI, X86_RDI, X86_RBP, X86_RBX };
		static const u8 index16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
					       X86_REG_NONE, X86_REG_NONE,
					       X86_REG_NONE, X86_REG_NONE };

		if (mod == 0 && rm == 6) {
			in->base = X86_REG_NONE;
			dsize = 2;
		} else {
			in->base = base16[rm];
			in->index = index16[rm];
			dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		}
	} else {
		unsigned rex_b = in->rex & 1 ? 8 : 0;

		if (rm == 4) {
			int sib = dec_byte(d);
			unsigned idx, base;

			if (sib < 0)
				return sib;
			idx = ((sib >> 3) & 7) | (in->rex & 2 ? 8 : 0);
			base = sib & 7;
			if (idx != X86_RSP) {	/* 100 without REX.X: no index */
				in->index = idx;
				in->scale = 1 << (sib >> 6);
			}
			if (base == 5 && mod == 0) {
				in->base = X86_REG_NONE;
				dsize = 4;
			} else {
				in->base = base | rex_b;
			}
		} else if (rm == 5 && mod == 0) {
			in->base = is_mode64(in) ? X86_REG_RIP : X86_REG_NONE;
			dsize = 4;
		} else {
			in->base = rm | rex_b;
		}
		if (mod == 1)
			dsize = 1;
		else if (mod == 2)
			dsize = 4;
	}
	rc = dec_uint(d, dsize, true, &disp);
	if (rc)
		return rc;
	in->disp = (s64)disp;
	if (!in->seg_override)
		in->seg = (in->base == X86_RSP || in->base == X86_RBP) ? X86_SEG_SS : X86_SEG_DS;
	return 0;
}

/* Encodings that share an opcode but not a length, or are #UD: reject. */
static bool dec_group_bad(const struct x86_insn *in, unsigned mod, unsigned reg, unsigned rm)
{
	if (in->map == X86_MAP_1B) {
		switch (in->opcode) {
		case 0x62: case 0xc4: case 0xc5:	/* EVEX/VEX in 16/32-bit mode */
			return mod == 3;
		case 0x8c:
			return reg > 5;
		case 0x8e:
			return reg > 5 || reg == X86_SEG_CS;
		case 0x8f:				/* others are AMD XOP */
			return reg != 0;
		case 0xc6:				/* C6 F8 ib is XABORT */
			return reg != 0 && !(reg == 7 && mod == 3 && rm == 0);
		case 0xc7:				/* C7 F8 is XBEGIN */
			return reg != 0;
		case 0xf6: case 0xf7:			/* /1: TEST alias, undocumented */
			return reg == 1;
		case 0xfe:
			return reg > 1;
		case 0xff:
			return reg == 7 || ((reg == 3 || reg == 5) && mod == 3);
		}
	} else if (in->map == X86_MAP_0F) {
		switch (in->opcode) {
		case 0x00:				/* /6 is JMPE */
			return reg > 5;
		case 0x78: case 0x79:			/* with 66/F2: AMD EXTRQ/INSERTQ */
			return in->opsize_prefix || in->rep != X86_REP_NONE;
		case 0xb8:				/* without F3: JMPE */
			return in->rep != X86_REP_REPE;
		case 0xba:
			return reg < 4;
		}
	}
	return false;
}

static enum x86_op classify_1b(const struct x86_insn *in, unsigned mod, unsigned reg)
{
	u8 op = in->opcode;

	if (op < 0x40 && (op & 7) < 6)
		return X86_OP_ADD + (op >> 3);
	switch (op) {
	case 0x40 ... 0x47:
		return X86_OP_INC;
	case 0x48 ... 0x4f:
		return X86_OP_DEC;
	case 0x63:
		return is_mode64(in) ? X86_OP_MOVSXD : X86_OP_OTHER;
	case 0x6c: case 0x6d: case 0xe4: case 0xe5: case 0xec: case 0xed:
		return X86_OP_IN;
	case 0x6e: case 0x6f: case 0xe6: case 0xe7: case 0xee: case 0xef:
		return X86_OP_OUT;
	case 0x80 ... 0x83:
		return X86_OP_ADD + reg;
	case 0x84: case 0x85: case 0xa8: case 0xa9:
		return X86_OP_TEST;
	case 0x86: case 0x87:
		return X86_OP_XCHG;
	case 0x88 ... 0x8b: case 0xa0 ... 0xa3: case 0xb0 ... 0xbf:
		return X86_OP_MOV;
	case 0x90:
		return in->rep == X86_REP_REPE && in->reg == 0 ? X86_OP_PAUSE : X86_OP_OTHER;
	case 0xa4: case 0xa5:
		return X86_OP_MOVS;
	case 0xa6: case 0xa7:
		return X86_OP_CMPS;
	case 0xaa: case 0xab:
		return X86_OP_STOS;
	case 0xac: case 0xad:
		return X86_OP_LODS;
	case 0xae: case 0xaf:
		return X86_OP_SCAS;
	case 0xc6: case 0xc7:
		return reg == 0 ? X86_OP_MOV : X86_OP_OTHER;
	case 0xcc:
		return X86_OP_INT3;
	case 0xcd:
		return X86_OP_INT;
	case 0xcf:
		return X86_OP_IRET;
	case 0xf4:
		return X86_OP_HLT;
	case 0xf6: case 0xf7: {
		static const u8 grp3[8] = { X86_OP_TEST, X86_OP_OTHER, X86_OP_NOT, X86_OP_NEG,
					    X86_OP_OTHER, X86_OP_OTHER, X86_OP_OTHER, X86_OP_OTHER };
		return grp3[reg];
	}
	case 0xfe: case 0xff:
		return reg == 0 ? X86_OP_INC : reg == 1 ? X86_OP_DEC : X86_OP_OTHER;
	}
	return X86_OP_OTHER;
}

static enum x86_op classify_0f(const struct x86_insn *in, unsigned mod, unsigned reg)
{
	switch (in->opcode) {
	case 0x01:
		if (mod != 3)
			return reg == 6 ? X86_OP_LMSW : reg == 7 ? X86_OP_INVLPG : X86_OP_OTHER;
		switch (in->modrm) {
		case 0xc1: return X86_OP_VMCALL;
		case 0xc8: return X86_OP_MONITOR;
		case 0xc9: return X86_OP_MWAIT;
		case 0xd1: return X86_OP_XSETBV;
		case 0xd9: return X86_OP_VMMCALL;
		case 0xdf: return X86_OP_INVLPGA;
		case 0xf9: return X86_OP_RDTSCP;
		}
		return reg == 6 ? X86_OP_LMSW : X86_OP_OTHER;
	case 0x06: return X86_OP_CLTS;
	case 0x08: return X86_OP_INVD;
	case 0x09: return X86_OP_WBINVD;
	case 0x20: case 0x22: return X86_OP_MOV_CR;
	case 0x21: case 0x23: return X86_OP_MOV_DR;
	case 0x30: return X86_OP_WRMSR;
	case 0x31: return X86_OP_RDTSC;
	case 0x32: return X86_OP_RDMSR;
	case 0x33: return X86_OP_RDPMC;
	case 0x90 ... 0x9f: return X86_OP_SETCC;
	case 0xa2: return X86_OP_CPUID;
	case 0xa3: return X86_OP_BT;
	case 0xab: return X86_OP_BTS;
	case 0xb3: return X86_OP_BTR;
	case 0xbb: return X86_OP_BTC;
	case 0xba: return X86_OP_BT + (reg - 4);	/* /4 BT /5 BTS /6 BTR /7 BTC */
	case 0xb0: case 0xb1: return X86_OP_CMPXCHG;
	case 0xb6: case 0xb7: return X86_OP_MOVZX;
	case 0xbe: case 0xbf: return X86_OP_MOVSX;
	case 0xc0: case 0xc1: return X86_OP_XADD;
	case 0xc3: return X86_OP_MOV;			/* MOVNTI */
	}
	return X86_OP_OTHER;
}

/* LOCK is legal only on these read-modify-write forms with a memory destination. */
static bool lock_ok(const struct x86_insn *in)
{
	if (!in->has_mem)
		return false;
	switch (in->op) {
	case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
	case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR:
		/* not the Gv,Ev forms (02, 03, 0A, ...) */
		return in->opcode >= 0x80 || (in->opcode & 7) < 2;
	case X86_OP_NOT: case X86_OP_NEG: case X86_OP_INC: case X86_OP_DEC:
	case X86_OP_XCHG: case X86_OP_CMPXCHG: case X86_OP_XADD:
	case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		return true;
	case X86_OP_OTHER:				/* CMPXCHG8B/16B */
		return in->map == X86_MAP_0F && in->opcode == 0xc7 && ((in->modrm >> 3) & 7) == 1;
	default:
		return false;
	}
}

/* Bytes the emulator reads or writes through the memory operand. */
static u8 mem_size_of(const struct x86_insn *in)
{
	switch (in->op) {
	case X86_OP_OTHER:
		return 0;
	case X86_OP_MOVZX: case X86_OP_MOVSX:
		return in->opcode & 1 ? 2 : 1;
	case X86_OP_MOVSXD:
		return in->rex & 8 ? 4 : in->opsize;
	default:
		return in->opsize;
	}
}

static int dec_imm(struct dec *d, unsigned kind)
{
	struct x86_insn *in = d->in;
	unsigned n;
	bool sx = true;
	u64 v;
	int rc;

	switch (kind) {
	case IMM_NONE:
		return 0;
	case IMM_IB: case IMM_JB:
		n = 1;
		break;
	case IMM_UB:
		n = 1;
		sx = false;
		break;
	case IMM_UW: case IMM_ENTER:
		n = 2;
		sx = false;
		break;
	case IMM_IZ:
		n = in->opsize == 2 ? 2 : 4;
		break;
	case IMM_IV:
		n = in->opsize;
		break;
	case IMM_JZ:
		/* 66 in 64-bit mode: rel16 on AMD, ignored on Intel */
		if (is_mode64(in) && in->opsize_prefix)
			return -EINVAL;
		n = in->opsize == 2 ? 2 : 4;
		break;
	case IMM_AP:
		n = in->opsize == 2 ? 2 : 4;
		sx = false;
		break;
	case IMM_MOFFS:
		n = in->addrsize;
		sx = false;
		break;
	default:
		return -EINVAL;
	}
	rc = dec_uint(d, n, sx, &v);
	if (rc)
		return rc;
	if (kind == IMM_MOFFS) {
		in->has_mem = true;
		in->base = X86_REG_NONE;
		in->index = X86_REG_NONE;
		in->scale = 1;
		in->disp = (s64)v;
		if (!in->seg_override)
			in->seg = X86_SEG_DS;
		return 0;
	}
	in->has_imm = true;
	in->imm_size = n;
	in->imm = v;
	if (kind == IMM_AP || kind == IMM_ENTER) {
		rc = dec_uint(d, kind == IMM_AP ? 2 : 1, false, &v);
		if (rc)
			return rc;
		in->imm2 = (u16)v;
	}
	return 0;
}

int x86_decode(const u8 *bytes, size_t avail, enum x86_cpu_mode mode, struct x86_insn *out)
{
	struct x86_insn in;
	struct dec d = { .bytes = bytes, .avail = avail, .pos = 0, .in = &in };
	unsigned mod = 0, reg = 0, rm = 0, imm_kind;
	u16 attr;
	int b, rc;

	if (mode != X86_MODE_16 && mode != X86_MODE_32 && mode != X86_MODE_64)
		return -EINVAL;
	memset(&in, 0, sizeof(in));
	in.mode = mode;
	in.seg = X86_SEG_NONE;
	in.base = X86_REG_NONE;
	in.index = X86_REG_NONE;
	in.scale = 1;

	b = dec_prefixes(&d);
	if (b < 0)
		return b;
	in.map = X86_MAP_1B;
	in.opcode = b;
	attr = map_1b[b];
	if (attr & A_ESC) {
		if ((b = dec_byte(&d)) < 0)
			return b;
		in.map = X86_MAP_0F;
		in.opcode = b;
		attr = map_0f[b];
		if (attr & A_ESC) {
			if ((b = dec_byte(&d)) < 0)
				return b;
			in.map = in.opcode == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
			in.opcode = b;
			/* every legacy 0F 38 opcode has ModRM; every 0F 3A one also imm8 */
			attr = in.map == X86_MAP_0F38 ? A_MODRM : A_MODRM | A_IMM(IMM_UB);
		}
	}
	if (attr & A_BAD)
		return -EINVAL;
	if (is_mode64(&in) && (attr & A_I64))
		return -EINVAL;
	dec_sizes(&in, attr);
	if (in.map == X86_MAP_1B && in.opcode == 0x63 && !is_mode64(&in))
		in.opsize = 2;		/* ARPL Ew, Gw */
	if (in.map == X86_MAP_1B && ((in.opcode & 0xf0) == 0x40 || (in.opcode & 0xf8) == 0x90 ||
				     (in.opcode & 0xf0) == 0xb0 || (in.opcode & 0xf0) == 0x50))
		in.reg = (in.opcode & 7) | (in.rex & 1 ? 8 : 0);
	if (in.map == X86_MAP_0F && (in.opcode & 0xf8) == 0xc8)
		in.reg = (in.opcode & 7) | (in.rex & 1 ? 8 : 0);

	if (attr & A_MODRM) {
		if ((b = dec_byte(&d)) < 0)
			return b;
		in.has_modrm = true;
		in.modrm = b;
		mod = b >> 6;
		reg = (b >> 3) & 7;
		rm = b & 7;
		if (dec_group_bad(&in, mod, reg, rm))
			return -EINVAL;
		/* FF /2 /4 /6 (near CALL/JMP, PUSH) default to 64-bit operands */
		if (in.map == X86_MAP_1B && in.opcode == 0xff && (reg & 1) == 0 && reg != 0)
			dec_sizes(&in, A_D64);
		if ((attr & A_MEM) && mod == 3)
			return -EINVAL;
		in.reg = reg | (in.rex & 4 ? 8 : 0);
		if (mod == 3 || (attr & A_REGONLY)) {
			in.rm = rm | (in.rex & 1 ? 8 : 0);
			if (attr & A_REGONLY)
				in.opsize = is_mode64(&in) ? 8 : 4;
		} else {
			rc = dec_mem(&d, mod, rm);
			if (rc)
				return rc;
		}
	}

	imm_kind = attr & A_IMM_MASK;
	if (in.map == X86_MAP_1B && (in.opcode == 0xf6 || in.opcode == 0xf7) && reg == 0)
		imm_kind = in.opcode == 0xf6 ? IMM_IB : IMM_IZ;
	rc = dec_imm(&d, imm_kind);
	if (rc)
		return rc;

	if (in.map == X86_MAP_1B)
		in.op = classify_1b(&in, mod, reg);
	else if (in.map == X86_MAP_0F)
		in.op = classify_0f(&in, mod, reg);
	else
		in.op = X86_OP_OTHER;

	switch (in.op) {
	case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_STOS: case X86_OP_LODS:
	case X86_OP_SCAS:
		in.string_op = true;
		if (!in.seg_override)
			in.seg = X86_SEG_DS;
		break;
	case X86_OP_IN: case X86_OP_OUT:
		in.string_op = !(in.opcode & 0x80);
		if (in.opsize == 8)	/* REX.W is ignored: at most 32-bit ports */
			in.opsize = 4;
		if (in.opcode == 0x6e || in.opcode == 0x6f) {
			if (!in.seg_override)
				in.seg = X86_SEG_DS;
		}
		break;
	default:
		break;
	}
	if (in.lock && !lock_ok(&in))
		return -EINVAL;
	if (in.has_mem || in.string_op)
		in.mem_size = mem_size_of(&in);
	in.len = d.pos;
	*out = in;
	return 0;
}
