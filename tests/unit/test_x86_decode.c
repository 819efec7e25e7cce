// SPDX-License-Identifier: MIT
/* test_x86_decode.c: the x86 decoder (vmm/emul/x86_decode.c) against a table of encodings. */
#include "test.h"

#include <tv/errno.h>
#include <tv/x86emu.h>

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
       NOREG = X86_REG_NONE, RIP = X86_REG_RIP };

/*
 * One expectation. Fields left 0 are not checked, except: a successful
 * decode without MEM() must have no memory operand.
 */
struct dcase {
	int line;
	enum x86_cpu_mode mode;
	const char *hex;
	int rc;
	u8 len, op, osz, asz;
	bool mem, chk_seg;
	u8 seg, base, index, scale;
	s64 disp;
	u8 reg;			/* expected register + 1 */
	u8 rm;			/* expected rm register + 1 */
	bool chk_imm;
	u64 imm;
	u16 imm2;
	u8 msz;
	u8 rep;
	bool lock, str, ovr;
	bool chk_rex;
	u8 rex;
	u8 map, opc;		/* map + 1, opcode */
};

#define D(mode, hex, ...) { __LINE__, mode, hex, __VA_ARGS__ }
#define OK(l, o, os, as) .len = (l), .op = X86_OP_##o, .osz = (os), .asz = (as)
#define MEM(s, b, i, sc, d) .mem = true, .chk_seg = true, .seg = X86_SEG_##s, .base = (b), .index = (i), \
	.scale = (sc), .disp = (d)
#define SEG(s) .chk_seg = true, .seg = X86_SEG_##s
#define REG(r) .reg = (r) + 1
#define RM(r) .rm = (r) + 1
#define IMM(x) .chk_imm = true, .imm = (x)
#define MSZ(x) .msz = (x)
#define BAD .rc = -EINVAL
#define LOCK .lock = true
#define REP .rep = X86_REP_REPE
#define REPNE .rep = X86_REP_REPNE
#define STR .str = true
#define REX(x) .chk_rex = true, .rex = (x)
#define OPC(m, o) .map = X86_MAP_##m + 1, .opc = (o)

static const struct dcase dcases[] = {
	/* ---- MOV, 64-bit mode, ModRM/SIB/displacement forms ---- */
	D(M64, "89 08", OK(2, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), MSZ(4), OPC(1B, 0x89)),
	D(M64, "48 89 08", OK(3, MOV, 8, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), MSZ(8), REX(0x48)),
	D(M64, "4c 89 08", OK(3, MOV, 8, 8), MEM(DS, RAX, NOREG, 1, 0), REG(R9)),
	D(M64, "41 89 08", OK(3, MOV, 4, 8), MEM(DS, R8, NOREG, 1, 0), REG(RCX)),
	D(M64, "66 89 08", OK(3, MOV, 2, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), MSZ(2)),
	D(M64, "88 20", OK(2, MOV, 1, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RSP), MSZ(1), REX(0)),
	D(M64, "40 88 20", OK(3, MOV, 1, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RSP), REX(0x40)),
	D(M64, "8a 0f", OK(2, MOV, 1, 8), MEM(DS, RDI, NOREG, 1, 0), REG(RCX)),
	D(M64, "8b 05 78 56 34 12", OK(6, MOV, 4, 8), MEM(DS, RIP, NOREG, 1, 0x12345678), REG(RAX)),
	D(M64, "48 8b 05 f0 ff ff ff", OK(7, MOV, 8, 8), MEM(DS, RIP, NOREG, 1, -16)),
	D(M64, "67 8b 05 00 10 00 00", OK(7, MOV, 4, 4), MEM(DS, RIP, NOREG, 1, 0x1000)),
	D(M64, "41 8b 05 10 00 00 00", OK(7, MOV, 4, 8), MEM(DS, RIP, NOREG, 1, 16)),
	D(M64, "8b 04 25 00 00 e0 fe", OK(7, MOV, 4, 8), MEM(DS, NOREG, NOREG, 1, (s32)0xfee00000)),
	D(M64, "67 8b 04 25 00 00 e0 fe", OK(8, MOV, 4, 4), MEM(DS, NOREG, NOREG, 1, (s32)0xfee00000)),
	D(M64, "8b 04 24", OK(3, MOV, 4, 8), MEM(SS, RSP, NOREG, 1, 0)),
	D(M64, "8b 45 08", OK(3, MOV, 4, 8), MEM(SS, RBP, NOREG, 1, 8)),
	D(M64, "41 8b 45 08", OK(4, MOV, 4, 8), MEM(DS, R13, NOREG, 1, 8)),
	D(M64, "41 8b 45 00", OK(4, MOV, 4, 8), MEM(DS, R13, NOREG, 1, 0)),
	D(M64, "41 8b 04 24", OK(4, MOV, 4, 8), MEM(DS, R12, NOREG, 1, 0)),
	D(M64, "42 8b 04 25 00 10 00 00", OK(8, MOV, 4, 8), MEM(DS, NOREG, R12, 1, 0x1000)),
	D(M64, "8b 04 8d 00 10 00 00", OK(7, MOV, 4, 8), MEM(DS, NOREG, RCX, 4, 0x1000)),
	D(M64, "8b 44 8d 10", OK(4, MOV, 4, 8), MEM(SS, RBP, RCX, 4, 0x10)),
	D(M64, "43 8b 44 fd f0", OK(5, MOV, 4, 8), MEM(DS, R13, R15, 8, -16)),
	D(M64, "8b 04 20", OK(3, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),	/* index 100: none */
	D(M64, "8b 04 60", OK(3, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),	/* ... scale ignored */
	D(M64, "8b 84 24 00 01 00 00", OK(7, MOV, 4, 8), MEM(SS, RSP, NOREG, 1, 0x100)),
	D(M64, "8b 80 00 00 00 80", OK(6, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, -0x80000000ll)),
	D(M64, "8b 4c 24 f8", OK(4, MOV, 4, 8), MEM(SS, RSP, NOREG, 1, -8), REG(RCX)),
	D(M64, "64 8b 04 25 28 00 00 00", OK(8, MOV, 4, 8), MEM(FS, NOREG, NOREG, 1, 0x28), .ovr = true),
	D(M64, "65 48 8b 04 25 00 00 00 00", OK(9, MOV, 8, 8), MEM(GS, NOREG, NOREG, 1, 0)),
	D(M64, "36 8b 00", OK(3, MOV, 4, 8), MEM(SS, RAX, NOREG, 1, 0), .ovr = true),
	D(M64, "3e 8b 45 00", OK(4, MOV, 4, 8), MEM(DS, RBP, NOREG, 1, 0), .ovr = true),
	D(M64, "8b c8", OK(2, MOV, 4, 8), REG(RCX), RM(RAX)),
	D(M64, "45 8b c8", OK(3, MOV, 4, 8), REG(R9), RM(R8)),
	/* immediates */
	D(M64, "c7 00 78 56 34 12", OK(6, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0), IMM(0x12345678)),
	D(M64, "48 c7 00 ff ff ff ff", OK(7, MOV, 8, 8), IMM(~0ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "48 c7 00 00 00 00 80", OK(7, MOV, 8, 8), IMM(0xffffffff80000000ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 c7 00 34 12", OK(5, MOV, 2, 8), IMM(0x1234), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 48 c7 00 34 12 00 00", OK(8, MOV, 8, 8), IMM(0x1234), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "c6 00 80", OK(3, MOV, 1, 8), IMM(0xffffffffffffff80ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "c7 80 00 00 e0 fe 01 00 00 00", OK(10, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, (s32)0xfee00000), IMM(1)),
	D(M64, "48 c7 84 88 00 01 00 00 78 56 34 12", OK(12, MOV, 8, 8), MEM(DS, RAX, RCX, 4, 0x100), IMM(0x12345678)),
	D(M64, "c7 05 f0 0f 00 00 01 00 00 00", OK(10, MOV, 4, 8), MEM(DS, RIP, NOREG, 1, 0xff0), IMM(1)),
	D(M64, "48 b8 88 77 66 55 44 33 22 11", OK(10, MOV, 8, 8), REG(RAX), IMM(0x1122334455667788ull)),
	D(M64, "b8 78 56 34 12", OK(5, MOV, 4, 8), REG(RAX), IMM(0x12345678)),
	D(M64, "41 bf ff ff ff ff", OK(6, MOV, 4, 8), REG(R15), IMM(~0ull)),
	D(M64, "66 b9 34 12", OK(4, MOV, 2, 8), REG(RCX), IMM(0x1234)),
	D(M64, "b4 12", OK(2, MOV, 1, 8), REG(RSP), IMM(0x12)),
	/* moffs */
	D(M64, "a1 00 00 e0 fe 00 00 00 00", OK(9, MOV, 4, 8), MEM(DS, NOREG, NOREG, 1, 0xfee00000), MSZ(4)),
	D(M64, "48 a3 88 77 66 55 44 33 22 11", OK(10, MOV, 8, 8), MEM(DS, NOREG, NOREG, 1, 0x1122334455667788ll)),
	D(M64, "67 a1 00 00 e0 fe", OK(6, MOV, 4, 4), MEM(DS, NOREG, NOREG, 1, 0xfee00000)),
	D(M64, "a0 ff ff ff ff ff ff ff ff", OK(9, MOV, 1, 8), MEM(DS, NOREG, NOREG, 1, -1)),
	D(M64, "66 a3 34 12 00 00 00 00 00 00", OK(10, MOV, 2, 8), MEM(DS, NOREG, NOREG, 1, 0x1234)),
	D(M64, "65 a2 10 00 00 00 00 00 00 00", OK(10, MOV, 1, 8), MEM(GS, NOREG, NOREG, 1, 0x10)),
	/* MOVZX / MOVSX / MOVSXD / MOVNTI */
	D(M64, "0f b6 00", OK(3, MOVZX, 4, 8), MEM(DS, RAX, NOREG, 1, 0), MSZ(1), OPC(0F, 0xb6)),
	D(M64, "48 0f b7 08", OK(4, MOVZX, 8, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), MSZ(2)),
	D(M64, "0f be 40 01", OK(4, MOVSX, 4, 8), MEM(DS, RAX, NOREG, 1, 1), MSZ(1)),
	D(M64, "66 0f bf 00", OK(4, MOVSX, 2, 8), MSZ(2), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "48 63 08", OK(3, MOVSXD, 8, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), MSZ(4)),
	D(M64, "63 08", OK(2, MOVSXD, 4, 8), MSZ(4), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f c3 08", OK(3, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX), OPC(0F, 0xc3)),
	D(M64, "48 0f c3 08", OK(4, MOV, 8, 8), MEM(DS, RAX, NOREG, 1, 0), MSZ(8)),
	D(M64, "0f c3 c8", BAD),
	/* ALU */
	D(M64, "01 08", OK(2, ADD, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "03 08", OK(2, ADD, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "f0 01 08", OK(3, ADD, 4, 8), MEM(DS, RAX, NOREG, 1, 0), LOCK),
	D(M64, "f0 03 08", BAD),
	D(M64, "f0 39 08", BAD),
	D(M64, "f0 01 c8", BAD),
	D(M64, "08 08", OK(2, OR, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "11 08", OK(2, ADC, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "19 08", OK(2, SBB, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "21 08", OK(2, AND, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "29 08", OK(2, SUB, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "31 08", OK(2, XOR, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "39 08", OK(2, CMP, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "3a 08", OK(2, CMP, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "04 7f", OK(2, ADD, 1, 8), IMM(0x7f)),
	D(M64, "48 2d 00 00 00 80", OK(6, SUB, 8, 8), IMM(0xffffffff80000000ull)),
	D(M64, "80 08 01", OK(3, OR, 1, 8), MEM(DS, RAX, NOREG, 1, 0), IMM(1)),
	D(M64, "81 00 00 00 00 80", OK(6, ADD, 4, 8), IMM(0xffffffff80000000ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "48 81 00 00 00 00 80", OK(7, ADD, 8, 8), IMM(0xffffffff80000000ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "83 38 ff", OK(3, CMP, 4, 8), IMM(~0ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 83 00 80", OK(4, ADD, 2, 8), IMM(0xffffffffffffff80ull), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 81 30 34 12", OK(5, XOR, 2, 8), IMM(0x1234), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 83 20 fe", OK(4, AND, 4, 8), LOCK, MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 83 38 fe", BAD),
	D(M64, "82 00 01", BAD),
	D(M64, "85 08", OK(2, TEST, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "a9 00 01 00 00", OK(5, TEST, 4, 8), IMM(0x100)),
	D(M64, "f6 00 01", OK(3, TEST, 1, 8), IMM(1), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f7 00 78 56 34 12", OK(6, TEST, 4, 8), IMM(0x12345678), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 f7 00 34 12", OK(5, TEST, 2, 8), IMM(0x1234), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f7 10", OK(2, NOT, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f6 18", OK(2, NEG, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 f7 18", OK(3, NEG, 4, 8), LOCK, MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f7 08", BAD),
	D(M64, "f7 20", OK(2, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0), MSZ(0)),
	D(M64, "fe 00", OK(2, INC, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "ff 08", OK(2, DEC, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "48 ff 00", OK(3, INC, 8, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "fe 10", BAD),
	D(M64, "ff 38", BAD),
	D(M64, "ff d8", BAD),			/* far call through a register */
	D(M64, "ff d0", OK(2, OTHER, 8, 8), RM(RAX)),
	D(M64, "ff 15 00 00 00 00", OK(6, OTHER, 8, 8), MEM(DS, RIP, NOREG, 1, 0)),
	/* XCHG, CMPXCHG, XADD, BT*, SETcc */
	D(M64, "87 08", OK(2, XCHG, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "86 08", OK(2, XCHG, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f b1 08", OK(3, CMPXCHG, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "f0 48 0f b1 0a", OK(5, CMPXCHG, 8, 8), MEM(DS, RDX, NOREG, 1, 0), REG(RCX), LOCK),
	D(M64, "0f b0 08", OK(3, CMPXCHG, 1, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f c1 08", OK(3, XADD, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 0f c0 08", OK(4, XADD, 1, 8), LOCK, MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f a3 08", OK(3, BT, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M64, "0f ab 08", OK(3, BTS, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f b3 08", OK(3, BTR, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "48 0f bb 08", OK(4, BTC, 8, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f ba 20 05", OK(4, BT, 4, 8), IMM(5), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f ba 28 85", OK(4, BTS, 4, 8), IMM(0x85), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f ba 30 05", OK(4, BTR, 4, 8), IMM(5), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f ba 38 05", OK(4, BTC, 4, 8), IMM(5), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f ba 18 05", BAD),
	D(M64, "f0 0f ba 20 05", BAD),
	D(M64, "f0 0f ba 28 05", OK(5, BTS, 4, 8), LOCK, MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 0f a3 08", BAD),
	D(M64, "0f 94 00", OK(3, SETCC, 1, 8), MEM(DS, RAX, NOREG, 1, 0), MSZ(1)),
	D(M64, "0f 9f c0", OK(3, SETCC, 1, 8), RM(RAX)),
	D(M64, "41 0f 95 40 10", OK(5, SETCC, 1, 8), MEM(DS, R8, NOREG, 1, 0x10)),
	/* string instructions */
	D(M64, "a4", OK(1, MOVS, 1, 8), STR, SEG(DS), MSZ(1)),
	D(M64, "48 a5", OK(2, MOVS, 8, 8), STR, MSZ(8)),
	D(M64, "f3 48 a5", OK(3, MOVS, 8, 8), STR, REP),
	D(M64, "66 a5", OK(2, MOVS, 2, 8), STR),
	D(M64, "67 a5", OK(2, MOVS, 4, 4), STR),
	D(M64, "f3 aa", OK(2, STOS, 1, 8), STR, REP),
	D(M64, "ab", OK(1, STOS, 4, 8), STR),
	D(M64, "ac", OK(1, LODS, 1, 8), STR),
	D(M64, "48 ad", OK(2, LODS, 8, 8), STR),
	D(M64, "64 a4", OK(2, MOVS, 1, 8), STR, SEG(FS), .ovr = true),
	D(M64, "f2 a6", OK(2, CMPS, 1, 8), STR, REPNE),
	D(M64, "f3 a7", OK(2, CMPS, 4, 8), STR, REP),
	D(M64, "ae", OK(1, SCAS, 1, 8), STR),
	D(M64, "f2 f3 a4", OK(3, MOVS, 1, 8), REP),
	D(M64, "f3 f2 a4", OK(3, MOVS, 1, 8), REPNE),
	D(M64, "f0 a4", BAD),
	/* exits the VMM decodes for their length */
	D(M64, "0f a2", OK(2, CPUID, 4, 8), OPC(0F, 0xa2)),
	D(M64, "0f 32", OK(2, RDMSR, 4, 8)),
	D(M64, "0f 30", OK(2, WRMSR, 4, 8)),
	D(M64, "0f 31", OK(2, RDTSC, 4, 8)),
	D(M64, "0f 33", OK(2, RDPMC, 4, 8)),
	D(M64, "f4", OK(1, HLT, 4, 8)),
	D(M64, "0f 01 d9", OK(3, VMMCALL, 4, 8), RM(RCX)),
	D(M64, "0f 01 c1", OK(3, VMCALL, 4, 8)),
	D(M64, "0f 01 d1", OK(3, XSETBV, 4, 8)),
	D(M64, "0f 01 c8", OK(3, MONITOR, 4, 8)),
	D(M64, "0f 01 c9", OK(3, MWAIT, 4, 8)),
	D(M64, "0f 01 f9", OK(3, RDTSCP, 4, 8)),
	D(M64, "0f 01 df", OK(3, INVLPGA, 4, 8)),
	D(M64, "0f 01 38", OK(3, INVLPG, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "0f 01 f0", OK(3, LMSW, 4, 8), RM(RAX)),
	D(M64, "0f 01 10", OK(3, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),	/* LGDT */
	D(M64, "0f 06", OK(2, CLTS, 4, 8)),
	D(M64, "0f 08", OK(2, INVD, 4, 8)),
	D(M64, "0f 09", OK(2, WBINVD, 4, 8)),
	D(M64, "f3 90", OK(2, PAUSE, 4, 8), REP),
	D(M64, "90", OK(1, OTHER, 4, 8)),
	D(M64, "f3 41 90", OK(3, OTHER, 4, 8)),	/* xchg r8d, eax */
	D(M64, "e4 71", OK(2, IN, 1, 8), IMM(0x71)),
	D(M64, "e5 80", OK(2, IN, 4, 8), IMM(0x80)),
	D(M64, "ec", OK(1, IN, 1, 8)),
	D(M64, "66 ed", OK(2, IN, 2, 8)),
	D(M64, "48 ef", OK(2, OUT, 4, 8)),
	D(M64, "e6 80", OK(2, OUT, 1, 8), IMM(0x80)),
	D(M64, "6c", OK(1, IN, 1, 8), STR, SEG(NONE)),
	D(M64, "f3 66 6f", OK(3, OUT, 2, 8), STR, REP, SEG(DS)),
	D(M64, "0f 20 c0", OK(3, MOV_CR, 8, 8), REG(0), RM(RAX)),
	D(M64, "44 0f 20 c0", OK(4, MOV_CR, 8, 8), REG(8), RM(RAX)),
	D(M64, "41 0f 22 d8", OK(4, MOV_CR, 8, 8), REG(3), RM(R8)),
	D(M64, "0f 20 04", OK(3, MOV_CR, 8, 8), REG(0), RM(RSP)),	/* mod ignored: no SIB */
	D(M64, "0f 22 45", OK(3, MOV_CR, 8, 8), REG(0), RM(RBP)),	/* ... and no disp */
	D(M64, "f0 0f 20 c0", BAD),		/* AMD's alternative CR8 encoding */
	D(M64, "0f 21 f8", OK(3, MOV_DR, 8, 8), REG(7)),
	D(M64, "cc", OK(1, INT3, 4, 8)),
	D(M64, "cd 80", OK(2, INT, 4, 8), IMM(0x80)),
	D(M64, "48 cf", OK(2, IRET, 8, 8)),
	/* other lengths */
	D(M64, "e8 00 00 00 00", OK(5, OTHER, 8, 8), IMM(0)),
	D(M64, "e9 fb ff ff ff", OK(5, OTHER, 8, 8), IMM(~4ull)),
	D(M64, "66 e8 00 00", BAD),		/* rel16 on AMD, rel32 on Intel */
	D(M64, "66 0f 84 00 00", BAD),
	D(M64, "eb fe", OK(2, OTHER, 8, 8), IMM(~1ull)),
	D(M64, "0f 84 00 01 00 00", OK(6, OTHER, 8, 8), IMM(0x100)),
	D(M64, "74 00", OK(2, OTHER, 8, 8)),
	D(M64, "c8 10 00 01", OK(4, OTHER, 8, 8), IMM(16), .imm2 = 1),
	D(M64, "c2 08 00", OK(3, OTHER, 8, 8), IMM(8)),
	D(M64, "69 c0 78 56 34 12", OK(6, OTHER, 4, 8)),
	D(M64, "6b c0 05", OK(3, OTHER, 4, 8)),
	D(M64, "68 00 10 00 00", OK(5, OTHER, 8, 8)),
	D(M64, "6a ff", OK(2, OTHER, 8, 8)),
	D(M64, "8d 04 40", OK(3, OTHER, 4, 8), MEM(DS, RAX, RAX, 2, 0), MSZ(0)),
	D(M64, "8d c0", BAD),
	D(M64, "c1 e0 04", OK(3, OTHER, 4, 8), IMM(4)),
	D(M64, "d3 e0", OK(2, OTHER, 4, 8)),
	D(M64, "c4 e2 79 18 00", BAD),		/* VEX */
	D(M64, "c5 f8 77", BAD),
	D(M64, "62 f1 7c 48 10 00", BAD),	/* EVEX */
	D(M64, "d8 00", OK(2, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "dd 84 24 00 01 00 00", OK(7, OTHER, 4, 8), MEM(SS, RSP, NOREG, 1, 0x100)),
	D(M64, "de c1", OK(2, OTHER, 4, 8)),
	D(M64, "0f 1f 44 00 00", OK(5, OTHER, 4, 8), MEM(DS, RAX, RAX, 1, 0)),
	D(M64, "66 0f 1f 84 00 00 00 00 00", OK(9, OTHER, 2, 8), MEM(DS, RAX, RAX, 1, 0)),
	D(M64, "66 2e 0f 1f 84 00 00 00 00 00", OK(10, OTHER, 2, 8), MEM(CS, RAX, RAX, 1, 0)),
	D(M64, "0f 38 f0 00", OK(4, OTHER, 4, 8), OPC(0F38, 0xf0), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 0f 3a 0f c1 08", OK(6, OTHER, 2, 8), OPC(0F3A, 0x0f), IMM(8)),
	D(M64, "0f 3a cc c1 00", OK(5, OTHER, 4, 8)),
	D(M64, "66 0f 38 00 04 24", OK(6, OTHER, 2, 8), MEM(SS, RSP, NOREG, 1, 0)),
	D(M64, "0f 10 00", OK(3, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 0f 6f 00", OK(4, OTHER, 2, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 0f 70 c0 1b", OK(5, OTHER, 2, 8)),
	D(M64, "0f c2 c1 00", OK(4, OTHER, 4, 8)),
	D(M64, "0f 0b", BAD),			/* UD2 */
	D(M64, "0f ff 00", BAD),		/* UD0 */
	D(M64, "0f b9 00", BAD),		/* UD1 */
	D(M64, "0f 0f c0 b4", BAD),		/* 3DNow! */
	D(M64, "0f 0e", BAD),
	D(M64, "0f ae 38", OK(3, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),	/* CLFLUSH */
	D(M64, "0f ae f0", OK(3, OTHER, 4, 8)),	/* MFENCE */
	D(M64, "0f c7 08", OK(3, OTHER, 4, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "f0 48 0f c7 0f", OK(5, OTHER, 8, 8), LOCK, MEM(DS, RDI, NOREG, 1, 0)),	/* CMPXCHG16B */
	D(M64, "f0 0f c7 30", BAD),
	D(M64, "0f c7 f0", OK(3, OTHER, 4, 8)),	/* RDRAND */
	D(M64, "0f 78 c8", OK(3, OTHER, 8, 8)),	/* VMREAD */
	D(M64, "66 0f 78 c0 01 02", BAD),	/* EXTRQ */
	D(M64, "f3 0f b8 c0", OK(4, OTHER, 4, 8)),
	D(M64, "0f b8 c0", BAD),
	D(M64, "f3 0f 1e fa", OK(4, OTHER, 4, 8)),	/* ENDBR64 */
	D(M64, "8f 00", OK(2, OTHER, 8, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "8f e8 78 c2 c1 00", BAD),	/* XOP */
	D(M64, "c6 f8 01", OK(3, OTHER, 1, 8)),	/* XABORT */
	D(M64, "c7 f8 00 00 00 00", BAD),	/* XBEGIN */
	D(M64, "8c d8", OK(2, OTHER, 4, 8)),
	D(M64, "8e c8", BAD),			/* MOV CS, ax */
	D(M64, "8e d8", OK(2, OTHER, 4, 8)),
	D(M64, "9a 00 00 00 00 08 00", BAD),
	D(M64, "06", BAD),
	D(M64, "d6", BAD),
	D(M64, "ce", BAD),
	D(M64, "0f 05", OK(2, OTHER, 4, 8)),	/* SYSCALL */
	D(M64, "f1", OK(1, OTHER, 4, 8)),
	D(M64, "9b", OK(1, OTHER, 4, 8)),	/* FWAIT stands alone */
	/* prefix combinations */
	D(M64, "f0 f0 01 08", OK(4, ADD, 4, 8), LOCK, MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "2e 3e 26 64 8b 00", OK(6, MOV, 4, 8), MEM(FS, RAX, NOREG, 1, 0)),
	D(M64, "48 66 8b 00", OK(4, MOV, 2, 8), REX(0), MEM(DS, RAX, NOREG, 1, 0)),	/* REX voided by 66 */
	D(M64, "66 48 8b 00", OK(4, MOV, 8, 8), REX(0x48), MEM(DS, RAX, NOREG, 1, 0)),	/* REX.W beats 66 */
	D(M64, "41 42 8b 00", OK(4, MOV, 4, 8), MEM(DS, RAX, NOREG, 1, 0), REX(0x42)),
	D(M64, "4c f0 01 08", OK(4, ADD, 4, 8), REG(RCX), LOCK, REX(0), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 40 26 b8 34 12", OK(6, MOV, 2, 8), IMM(0x1234)),
	D(M64, "67 40 36 a1 00 10 00 00", OK(8, MOV, 4, 4), MEM(SS, NOREG, NOREG, 1, 0x1000)),
	D(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 89 08", OK(15, MOV, 2, 8), MEM(DS, RAX, NOREG, 1, 0)),
	D(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 08", BAD),
	D(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", BAD),
	D(M64, "f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 2e 67 48 8b 00", OK(15, MOV, 8, 4), MEM(CS, RAX, NOREG, 1, 0)),
	D(M64, "26 a4", OK(2, MOVS, 1, 8), STR, SEG(ES)),
	D(M64, "67 e3 fe", OK(3, OTHER, 8, 4)),
	D(M64, "66 90", OK(2, OTHER, 2, 8)),
	D(M64, "f3 c3", OK(2, OTHER, 8, 8)),
	D(M64, "2e 74 00", OK(3, OTHER, 8, 8)),
	D(M64, "40", .rc = -EAGAIN),
	D(M64, "", .rc = -EAGAIN),

	/* ---- 32-bit code ---- */
	D(M32, "89 08", OK(2, MOV, 4, 4), MEM(DS, RAX, NOREG, 1, 0), REG(RCX)),
	D(M32, "66 89 08", OK(3, MOV, 2, 4), MEM(DS, RAX, NOREG, 1, 0)),
	D(M32, "67 89 08", OK(3, MOV, 4, 2), MEM(DS, RBX, RSI, 1, 0)),
	D(M32, "8b 05 00 00 e0 fe", OK(6, MOV, 4, 4), MEM(DS, NOREG, NOREG, 1, (s32)0xfee00000)),
	D(M32, "a1 00 00 e0 fe", OK(5, MOV, 4, 4), MEM(DS, NOREG, NOREG, 1, 0xfee00000)),
	D(M32, "67 a1 00 10", OK(4, MOV, 4, 2), MEM(DS, NOREG, NOREG, 1, 0x1000)),
	D(M32, "c7 05 30 00 e0 fe 00 00 00 00", OK(10, MOV, 4, 4), MEM(DS, NOREG, NOREG, 1, (s32)0xfee00030), IMM(0)),
	D(M32, "8b 04 24", OK(3, MOV, 4, 4), MEM(SS, RSP, NOREG, 1, 0)),
	D(M32, "8b 44 b5 fc", OK(4, MOV, 4, 4), MEM(SS, RBP, RSI, 4, -4)),
	D(M32, "40", OK(1, INC, 4, 4), REG(RAX)),
	D(M32, "4f", OK(1, DEC, 4, 4), REG(RDI)),
	D(M32, "48 8b 00", OK(1, DEC, 4, 4)),
	D(M32, "62 00", OK(2, OTHER, 4, 4), MEM(DS, RAX, NOREG, 1, 0)),		/* BOUND */
	D(M32, "62 c0", BAD),				/* EVEX */
	D(M32, "c4 00", OK(2, OTHER, 4, 4), MEM(DS, RAX, NOREG, 1, 0)),		/* LES */
	D(M32, "c5 f8 77", BAD),			/* VEX */
	D(M32, "63 08", OK(2, OTHER, 2, 4), MEM(DS, RAX, NOREG, 1, 0)),		/* ARPL */
	D(M32, "9a 78 56 34 12 08 00", OK(7, OTHER, 4, 4), IMM(0x12345678), .imm2 = 8),
	D(M32, "66 9a 34 12 08 00", OK(6, OTHER, 2, 4), IMM(0x1234), .imm2 = 8),
	D(M32, "66 e8 00 00", OK(4, OTHER, 2, 4)),
	D(M32, "e8 00 00 00 00", OK(5, OTHER, 4, 4)),
	D(M32, "82 00 01", OK(3, ADD, 1, 4), IMM(1), MEM(DS, RAX, NOREG, 1, 0)),
	D(M32, "0f 20 c0", OK(3, MOV_CR, 4, 4), REG(0), RM(RAX)),
	D(M32, "d4 0a", OK(2, OTHER, 4, 4)),
	D(M32, "06", OK(1, OTHER, 4, 4)),
	D(M32, "f3 a5", OK(2, MOVS, 4, 4), REP),
	D(M32, "67 f3 a5", OK(3, MOVS, 4, 2), REP),
	D(M32, "0f b7 05 00 00 c0 fe", OK(7, MOVZX, 4, 4), MSZ(2), MEM(DS, NOREG, NOREG, 1, (s32)0xfec00000)),
	D(M32, "ea 00 00 00 00 08 00", OK(7, OTHER, 4, 4)),

	/* ---- 16-bit code ---- */
	D(M16, "89 08", OK(2, MOV, 2, 2), MEM(DS, RBX, RSI, 1, 0), REG(RCX)),
	D(M16, "8b 46 02", OK(3, MOV, 2, 2), MEM(SS, RBP, NOREG, 1, 2)),
	D(M16, "8b 06 00 10", OK(4, MOV, 2, 2), MEM(DS, NOREG, NOREG, 1, 0x1000)),
	D(M16, "8b 87 ff ff", OK(4, MOV, 2, 2), MEM(DS, RBX, NOREG, 1, -1)),
	D(M16, "8b 02", OK(2, MOV, 2, 2), MEM(SS, RBP, RSI, 1, 0)),
	D(M16, "8b 03", OK(2, MOV, 2, 2), MEM(SS, RBP, RDI, 1, 0)),
	D(M16, "8b 01", OK(2, MOV, 2, 2), MEM(DS, RBX, RDI, 1, 0)),
	D(M16, "8b 04", OK(2, MOV, 2, 2), MEM(DS, RSI, NOREG, 1, 0)),
	D(M16, "8b 05", OK(2, MOV, 2, 2), MEM(DS, RDI, NOREG, 1, 0)),
	D(M16, "8b 07", OK(2, MOV, 2, 2), MEM(DS, RBX, NOREG, 1, 0)),
	D(M16, "8b 40 80", OK(3, MOV, 2, 2), MEM(DS, RBX, RSI, 1, -128)),
	D(M16, "66 8b 00", OK(3, MOV, 4, 2), MEM(DS, RBX, RSI, 1, 0)),
	D(M16, "67 8b 00", OK(3, MOV, 2, 4), MEM(DS, RAX, NOREG, 1, 0)),
	D(M16, "67 8b 04 24", OK(4, MOV, 2, 4), MEM(SS, RSP, NOREG, 1, 0)),
	D(M16, "a1 00 10", OK(3, MOV, 2, 2), MEM(DS, NOREG, NOREG, 1, 0x1000)),
	D(M16, "b8 34 12", OK(3, MOV, 2, 2), IMM(0x1234)),
	D(M16, "66 b8 78 56 34 12", OK(6, MOV, 4, 2), IMM(0x12345678)),
	D(M16, "c7 06 00 10 34 12", OK(6, MOV, 2, 2), MEM(DS, NOREG, NOREG, 1, 0x1000), IMM(0x1234)),
	D(M16, "e8 00 00", OK(3, OTHER, 2, 2)),
	D(M16, "66 e8 00 00 00 00", OK(6, OTHER, 4, 2)),
	D(M16, "f3 a4", OK(2, MOVS, 1, 2), REP),
	D(M16, "26 8b 07", OK(3, MOV, 2, 2), MEM(ES, RBX, NOREG, 1, 0)),
	D(M16, "ea 00 00 00 f0", OK(5, OTHER, 2, 2), IMM(0), .imm2 = 0xf000),
};

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

/* Decode from an exactly-sized heap copy, so ASan catches any over-read. */
static int decode_exact(const u8 *bytes, size_t n, enum x86_cpu_mode mode, struct x86_insn *in)
{
	u8 *buf = malloc(n ? n : 1);
	int rc;

	memcpy(buf, bytes, n);
	rc = x86_decode(n ? buf : buf + 1, n, mode, in);
	free(buf);
	return rc;
}

static void check_case(const struct dcase *c)
{
	u8 bytes[32];
	size_t n = parse_hex(c->hex, bytes);
	struct x86_insn in;
	int rc = decode_exact(bytes, n, c->mode, &in);
	int before = test_failures;

	CHECK_EQ(rc, c->rc);
	if (rc == 0 && c->rc == 0) {
		CHECK_EQ(in.len, c->len);
		CHECK_EQ(in.op, c->op);
		CHECK_EQ(in.opsize, c->osz);
		CHECK_EQ(in.addrsize, c->asz);
		CHECK_EQ(in.has_mem, c->mem);
		if (c->mem) {
			CHECK_EQ(in.base, c->base);
			CHECK_EQ(in.index, c->index);
			CHECK_EQ(in.scale, c->scale);
			CHECK_EQ(in.disp, c->disp);
		}
		if (c->chk_seg)
			CHECK_EQ(in.seg, c->seg);
		if (c->reg)
			CHECK_EQ(in.reg, c->reg - 1);
		if (c->rm)
			CHECK_EQ(in.rm, c->rm - 1);
		if (c->chk_imm) {
			CHECK(in.has_imm);
			CHECK_EQ(in.imm, c->imm);
		}
		if (c->imm2)
			CHECK_EQ(in.imm2, c->imm2);
		if (c->msz || c->op == X86_OP_OTHER)
			CHECK_EQ(in.mem_size, c->msz);
		if (c->rep)
			CHECK_EQ(in.rep, c->rep);
		CHECK_EQ(in.lock, c->lock);
		if (c->str)
			CHECK(in.string_op);
		if (c->ovr)
			CHECK(in.seg_override);
		if (c->chk_rex)
			CHECK_EQ(in.rex, c->rex);
		if (c->map) {
			CHECK_EQ(in.map, c->map - 1);
			CHECK_EQ(in.opcode, c->opc);
		}
		/* every proper prefix of a valid instruction asks for more bytes */
		for (size_t k = 0; k < in.len; k++)
			CHECK_EQ(decode_exact(bytes, k, c->mode, &in), -EAGAIN);
	}
	if (test_failures != before)
		fprintf(stderr, "  ^ case at line %d: \"%s\"\n", c->line, c->hex);
}

TEST(table)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++)
		check_case(&dcases[i]);
	CHECK(sizeof(dcases) / sizeof(dcases[0]) >= 100);
}

/* Extra bytes after an instruction never change its decoding. */
TEST(trailing_bytes)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		u8 bytes[32];
		size_t n = parse_hex(c->hex, bytes);
		struct x86_insn a, b;

		if (c->rc || n >= 15)
			continue;
		memset(bytes + n, 0x0f, sizeof(bytes) - n);
		CHECK_EQ(decode_exact(bytes, n, c->mode, &a), 0);
		CHECK_EQ(decode_exact(bytes, 15, c->mode, &b), 0);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
}

TEST(bad_mode)
{
	struct x86_insn in;
	const u8 nop = 0x90;

	CHECK_EQ(x86_decode(&nop, 1, (enum x86_cpu_mode)3, &in), -EINVAL);
}

/* ---- fuzzing ---------------------------------------------------------- */

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bytes, biased towards prefixes and escapes so deep paths get hit. */
static size_t random_insn(u8 *b)
{
	static const u8 pfx[] = { 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
				  0x66, 0x67, 0x40, 0x48, 0x41, 0x4c, 0x4f };
	size_t n = 0, np = rng() % 5;

	if (rng() % 64 == 0)
		np = 15;
	for (size_t i = 0; i < np && n < 15; i++)
		b[n++] = pfx[rng() % sizeof(pfx)];
	if (n < 15 && rng() % 2) {
		b[n++] = 0x0f;
		if (n < 15 && rng() % 8 == 0)
			b[n++] = rng() % 2 ? 0x38 : 0x3a;
	}
	while (n < 15)
		b[n++] = (u8)rng();
	return n;
}

TEST(fuzz)
{
	unsigned ok = 0, again = 0, inval = 0, bad_rc = 0, bad_len = 0, unstable = 0, not_again = 0;

	for (unsigned iter = 0; iter < 1000000; iter++) {
		u8 b[16];
		enum x86_cpu_mode mode = (enum x86_cpu_mode)(iter % 3);
		size_t avail;
		struct x86_insn in, in2;
		int rc;

		random_insn(b);
		avail = rng() % 16;
		rc = decode_exact(b, avail, mode, &in);
		if (rc == -EAGAIN) {
			again++;
			continue;
		}
		if (rc == -EINVAL) {
			inval++;
			continue;
		}
		if (rc != 0) {
			bad_rc++;
			continue;
		}
		ok++;
		if (in.len == 0 || in.len > 15 || in.len > avail) {
			bad_len++;
			continue;
		}
		/* the same bytes, cut to the instruction, decode the same way */
		if (decode_exact(b, in.len, mode, &in2) != 0 || memcmp(&in, &in2, sizeof(in)))
			unstable++;
		/* and any shorter cut asks for more */
		if (decode_exact(b, rng() % in.len, mode, &in2) != -EAGAIN)
			not_again++;
	}
	CHECK_EQ(bad_rc, 0);
	CHECK_EQ(bad_len, 0);
	CHECK_EQ(unstable, 0);
	CHECK_EQ(not_again, 0);
	/* the generator must exercise all outcomes */
	CHECK(ok > 100000);
	CHECK(again > 100000);
	CHECK(inval > 10000);
}

TEST_MAIN({ "table", table }, { "trailing_bytes", trailing_bytes }, { "bad_mode", bad_mode },
	  { "fuzz", fuzz })
