/* SPDX-License-Identifier: MIT */
/* x86emu.h: x86 instruction decoder and emulator for intercepted guest instructions. */
#ifndef TV_X86EMU_H
#define TV_X86EMU_H

#include <tv/types.h>

/*
 * The decoder works on bytes the guest controls, so it is total: it never
 * reads past `avail`, never loops unboundedly, and rejects any encoding whose
 * length or meaning it does not know for certain on both Intel and AMD.
 */

#define X86_MAX_INSN_LEN 15

/* Code size of the CS the bytes were fetched with (CS.L / CS.D). */
enum x86_cpu_mode {
	X86_MODE_16,
	X86_MODE_32,
	X86_MODE_64,
};

/*
 * The mode a CPU executes in, from CR0.PE, EFER.LMA and CS's attributes in
 * VMCB layout (L bit 9, D/B bit 10): one rule for both vendor backends.
 * Real mode decodes as 16-bit; compatibility mode by CS.D/B.
 */
static inline enum x86_cpu_mode x86_code_mode(u64 cr0, u64 efer, u16 cs_attrib)
{
	if ((efer & (1ull << 10)) && (cs_attrib & (1u << 9)))
		return X86_MODE_64;
	if (!(cr0 & 1))
		return X86_MODE_16;
	return (cs_attrib & (1u << 10)) ? X86_MODE_32 : X86_MODE_16;
}

/* Register numbers as encoded (REX extensions included). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_REG_NONE = 16,	/* no base / no index */
	X86_REG_RIP = 17,	/* RIP-relative base (64-bit mode) */
};

/* Segment registers in the order of their encoding (and of SVM/VMX fields). */
enum x86_seg {
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	X86_SEG_NONE = 0xff,
};

/* Opcode maps: which escape sequence preceded `opcode`. */
enum x86_map {
	X86_MAP_1B,		/* one-byte opcodes */
	X86_MAP_0F,		/* 0F xx */
	X86_MAP_0F38,		/* 0F 38 xx */
	X86_MAP_0F3A,		/* 0F 3A xx */
};

/* Last of the F2/F3 prefixes, if any. */
enum x86_rep {
	X86_REP_NONE,
	X86_REP_REPE,		/* F3: REP / REPE / REPZ */
	X86_REP_REPNE,		/* F2: REPNE / REPNZ */
};

/*
 * What an instruction is. X86_OP_ADD..X86_OP_CMP follow the encoding order of
 * the ALU group (ModRM.reg of 80/81/83), which the decoder relies on.
 */
enum x86_op {
	X86_OP_OTHER,		/* length known, nothing more (may still #UD) */
	X86_OP_ADD, X86_OP_OR, X86_OP_ADC, X86_OP_SBB,
	X86_OP_AND, X86_OP_SUB, X86_OP_XOR, X86_OP_CMP,
	X86_OP_MOV,		/* 88-8B, A0-A3, B0-BF, C6/C7 /0, 0F C3 (MOVNTI) */
	X86_OP_MOVZX, X86_OP_MOVSX, X86_OP_MOVSXD,
	X86_OP_TEST, X86_OP_NOT, X86_OP_NEG, X86_OP_INC, X86_OP_DEC,
	X86_OP_XCHG,		/* 86/87 only (90+r is X86_OP_OTHER) */
	X86_OP_CMPXCHG, X86_OP_XADD,
	X86_OP_BT, X86_OP_BTS, X86_OP_BTR, X86_OP_BTC,
	X86_OP_SETCC,
	X86_OP_MOVS, X86_OP_CMPS, X86_OP_STOS, X86_OP_LODS, X86_OP_SCAS,
	X86_OP_IN,		/* E4/E5/EC/ED and INS 6C/6D (string_op set) */
	X86_OP_OUT,		/* E6/E7/EE/EF and OUTS 6E/6F (string_op set) */
	X86_OP_CPUID, X86_OP_RDMSR, X86_OP_WRMSR, X86_OP_RDPMC,
	X86_OP_RDTSC, X86_OP_RDTSCP, X86_OP_HLT, X86_OP_PAUSE,
	X86_OP_INVD, X86_OP_WBINVD, X86_OP_XSETBV,
	X86_OP_MONITOR, X86_OP_MWAIT, X86_OP_VMCALL, X86_OP_VMMCALL,
	X86_OP_MOV_CR,		/* 0F 20/22: reg = CR number, rm = GPR */
	X86_OP_MOV_DR,		/* 0F 21/23: reg = DR number, rm = GPR */
	X86_OP_CLTS, X86_OP_LMSW, X86_OP_INVLPG, X86_OP_INVLPGA,
	X86_OP_INT3, X86_OP_INT, X86_OP_IRET,
};

/*
 * A decoded instruction. Register numbers are 0-15 (REX included); a byte
 * register 4-7 means AH/CH/DH/BH when `rex` is 0, SPL/BPL/SIL/DIL otherwise.
 */
struct x86_insn {
	u8 len;			/* total length in bytes, 1..15 */
	u8 mode;		/* enum x86_cpu_mode it was decoded for */
	u8 map;			/* enum x86_map */
	u8 opcode;		/* opcode byte within `map` */
	enum x86_op op;
	u8 opsize;		/* effective operand size: 1, 2, 4 or 8 bytes */
	u8 addrsize;		/* effective address size: 2, 4 or 8 bytes */
	u8 rex;			/* effective REX byte (0x40-0x4f), 0 if none */
	u8 rep;			/* enum x86_rep */
	bool lock;		/* F0 (only accepted where the CPU allows it) */
	bool opsize_prefix;	/* 66 seen */
	bool addrsize_prefix;	/* 67 seen */
	bool string_op;		/* MOVS CMPS STOS LODS SCAS INS OUTS */

	bool has_modrm;
	u8 modrm;		/* raw ModRM byte */
	u8 reg;			/* ModRM.reg + REX.R, or opcode[2:0] + REX.B for +r forms */
	u8 rm;			/* ModRM.rm + REX.B when mod == 3 (and MOV CR/DR) */

	/*
	 * Memory operand (ModRM with mod != 3, or moffs A0-A3). Effective
	 * address = base + index * scale + disp (+ next RIP for X86_REG_RIP),
	 * truncated to addrsize. String instructions have has_mem false and
	 * use ES:rDI and seg:rSI, `seg` being DS or the override (X86_SEG_NONE
	 * for INS, which has no rSI operand).
	 */
	bool has_mem;
	u8 seg;			/* enum x86_seg, overrides applied */
	bool seg_override;	/* a 26/2E/36/3E/64/65 prefix was seen */
	u8 base;		/* enum x86_gpr or X86_REG_NONE / X86_REG_RIP */
	u8 index;		/* enum x86_gpr or X86_REG_NONE */
	u8 scale;		/* 1, 2, 4, 8 (1 when there is no index) */
	s64 disp;		/* sign-extended; moffs zero-extended */
	u8 mem_size;		/* bytes of the memory access (string ops too);
				 * 0 without memory operand or for X86_OP_OTHER */

	bool has_imm;
	u8 imm_size;		/* encoded bytes of the (first) immediate */
	u64 imm;		/* sign-extended where the opcode sign-extends
				 * (arithmetic, MOV, branches); zero-extended
				 * for ports, INT n, counts, bit offsets */
	u16 imm2;		/* ENTER's level byte, a far pointer's selector */
};

/*
 * Decode one instruction from bytes[0..avail).
 * Returns 0 and fills *out; -EAGAIN if the bytes end before the instruction
 * does (fetch more, up to X86_MAX_INSN_LEN, and call again); -EINVAL for an
 * invalid, over-long (> 15 bytes) or unsupported encoding. Never reads
 * bytes[avail] or beyond; on success out->len <= MIN(avail, 15).
 */
int x86_decode(const u8 *bytes, size_t avail, enum x86_cpu_mode mode, struct x86_insn *out);

/* Results of x86_emulate(). */
enum {
	X86EMU_OK,		/* done: the caller advances RIP by insn->len */
	X86EMU_RETRY,		/* one REP iteration done, registers updated;
				 * leave RIP so the guest executes it again */
	X86EMU_UNHANDLED,	/* not emulated; nothing was changed */
	X86EMU_EXCEPTION,	/* ops->mem reported a fault (the VMM injects it);
				 * no register or flag was changed */
};

#define X86_RFLAGS_CF (1ull << 0)
#define X86_RFLAGS_PF (1ull << 2)
#define X86_RFLAGS_AF (1ull << 4)
#define X86_RFLAGS_ZF (1ull << 6)
#define X86_RFLAGS_SF (1ull << 7)
#define X86_RFLAGS_DF (1ull << 10)
#define X86_RFLAGS_OF (1ull << 11)
#define X86_RFLAGS_ARITH (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | \
			  X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF)

/* The guest as the emulator sees it; ctx is passed through untouched. */
struct x86_emu_ops {
	/* Full 64-bit value of GPR 0-15; set_gpr stores all 64 bits. */
	u64 (*get_gpr)(void *ctx, unsigned reg);
	void (*set_gpr)(void *ctx, unsigned reg, u64 val);
	u64 (*get_rflags)(void *ctx);
	void (*set_rflags)(void *ctx, u64 val);
	/* RIP of the instruction being emulated (for RIP-relative operands). */
	u64 (*get_rip)(void *ctx);
	/* Base of a segment register. Only called for FS/GS in 64-bit mode. */
	u64 (*seg_base)(void *ctx, enum x86_seg seg);
	/*
	 * Read or write `size` (1, 2, 4 or 8) little-endian bytes at linear
	 * address gla; the callback translates, checks (canonical form,
	 * page permissions) and splits page-crossing accesses. Returns 0,
	 * or X86EMU_EXCEPTION after arranging the fault's injection; any
	 * other value makes the emulator give up with X86EMU_UNHANDLED.
	 */
	int (*mem)(void *ctx, u64 gla, void *buf, unsigned size, bool write);
};

/*
 * Emulate a decoded instruction against the guest state behind ops/ctx.
 * Returns one of X86EMU_*; RIP is never written (see X86EMU_OK/RETRY).
 * Memory accesses happen in program order, each at most 8 bytes; a
 * read-modify-write reads then writes the same address (not atomically:
 * LOCK is honoured only by the VMM's MMIO serialisation). Registers and
 * RFLAGS are written only after every memory access succeeded. Segment
 * limits and access rights are not checked (flat segments assumed).
 */
int x86_emulate(const struct x86_insn *insn, const struct x86_emu_ops *ops, void *ctx);

#endif
