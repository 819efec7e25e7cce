// SPDX-License-Identifier: MIT
/*
 * x86_emulate.c: emulation of the memory-touching instructions a guest
 * uses on MMIO (MOV and friends, ALU read-modify-write, string ops).
 *
 * Works on a struct x86_insn from x86_decode() and reaches the guest only
 * through x86_emu_ops. All memory accesses come first, in program order;
 * registers and RFLAGS are committed only once they all succeeded, so a
 * fault leaves the guest's registers untouched.
 */
#include <tv/compiler.h>
#include <tv/string.h>
#include <tv/x86emu.h>

struct emu {
	const struct x86_insn *in;
	const struct x86_emu_ops *ops;
	void *ctx;
};

/* An operand: a (possibly partial) register, or memory at a linear address. */
struct opnd {
	bool mem;
	u8 reg;
	u8 size;
	u64 la;
};

static u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static u64 sign_bit(unsigned size)
{
	return 1ull << (size * 8 - 1);
}

static u64 sign_extend(u64 v, unsigned size)
{
	v &= size_mask(size);
	return (v & sign_bit(size)) ? v | ~size_mask(size) : v;
}

/* ---- registers ------------------------------------------------------------ */

/* Byte registers 4-7 are AH, CH, DH, BH unless a REX prefix is present. */
static bool is_high_byte(const struct emu *e, unsigned reg, unsigned size)
{
	return size == 1 && !e->in->rex && reg >= 4 && reg < 8;
}

static u64 reg_read(const struct emu *e, unsigned reg, unsigned size)
{
	if (is_high_byte(e, reg, size))
		return (e->ops->get_gpr(e->ctx, reg - 4) >> 8) & 0xff;
	return e->ops->get_gpr(e->ctx, reg) & size_mask(size);
}

/* 8/16-bit writes merge; 32-bit writes zero-extend to 64. */
static void reg_write(const struct emu *e, unsigned reg, unsigned size, u64 val)
{
	u64 old;

	if (is_high_byte(e, reg, size)) {
		old = e->ops->get_gpr(e->ctx, reg - 4);
		e->ops->set_gpr(e->ctx, reg - 4, (old & ~0xff00ull) | ((val & 0xff) << 8));
		return;
	}
	if (size == 1 || size == 2) {
		old = e->ops->get_gpr(e->ctx, reg);
		val = (old & ~size_mask(size)) | (val & size_mask(size));
	} else if (size == 4) {
		val &= 0xffffffffull;
	}
	e->ops->set_gpr(e->ctx, reg, val);
}

/* ---- addresses ------------------------------------------------------------ */

static u64 linear(const struct emu *e, unsigned seg, u64 ea)
{
	u64 base = 0;

	/* In 64-bit mode only FS and GS have a base. */
	if (e->in->mode != X86_MODE_64 || seg == X86_SEG_FS || seg == X86_SEG_GS)
		base = e->ops->seg_base(e->ctx, seg);
	if (e->in->mode != X86_MODE_64)
		return (base + ea) & 0xffffffffull;
	return base + ea;
}

/* Effective address (before the segment) of the ModRM/moffs operand. */
static u64 mem_ea(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	u64 ea = (u64)in->disp;

	if (in->base == X86_REG_RIP)
		ea += e->ops->get_rip(e->ctx) + in->len;
	else if (in->base < 16)
		ea += e->ops->get_gpr(e->ctx, in->base);
	if (in->index < 16)
		ea += e->ops->get_gpr(e->ctx, in->index) * in->scale;
	return ea & size_mask(in->addrsize);
}

static int mem_access(const struct emu *e, u64 la, u64 *val, unsigned size, bool write)
{
	u8 buf[8];
	int rc;

	if (write) {
		u64 v = *val;

		for (unsigned i = 0; i < size; i++, v >>= 8)
			buf[i] = (u8)v;
	}
	rc = e->ops->mem(e->ctx, la, buf, size, write);
	if (rc)
		return rc == X86EMU_EXCEPTION ? X86EMU_EXCEPTION : X86EMU_UNHANDLED;
	if (!write) {
		u64 v = 0;

		for (unsigned i = size; i-- > 0;)
			v = (v << 8) | buf[i];
		*val = v;
	}
	return X86EMU_OK;
}

/* The r/m operand: memory, or the register ModRM.rm names. */
static struct opnd op_rm(const struct emu *e, unsigned size)
{
	struct opnd o = { .size = size };

	if (e->in->has_mem) {
		o.mem = true;
		o.la = linear(e, e->in->seg, mem_ea(e));
	} else {
		o.reg = e->in->rm;
	}
	return o;
}

static struct opnd op_reg(unsigned reg, unsigned size)
{
	struct opnd o = { .reg = reg, .size = size };

	return o;
}

static int op_read(const struct emu *e, const struct opnd *o, u64 *val)
{
	if (o->mem)
		return mem_access(e, o->la, val, o->size, false);
	*val = reg_read(e, o->reg, o->size);
	return X86EMU_OK;
}

/* Memory is written at once; register results are committed by the caller last. */
static int op_write_mem(const struct emu *e, const struct opnd *o, u64 val)
{
	return o->mem ? mem_access(e, o->la, &val, o->size, true) : X86EMU_OK;
}

static void op_write_reg(const struct emu *e, const struct opnd *o, u64 val)
{
	if (!o->mem)
		reg_write(e, o->reg, o->size, val);
}

/* ---- flags ------------------------------------------------------------------ */

#define FL_CF X86_RFLAGS_CF
#define FL_PF X86_RFLAGS_PF
#define FL_AF X86_RFLAGS_AF
#define FL_ZF X86_RFLAGS_ZF
#define FL_SF X86_RFLAGS_SF
#define FL_OF X86_RFLAGS_OF
#define FL_ARITH X86_RFLAGS_ARITH

static u64 flags_szp(u64 res, unsigned size)
{
	u64 f = 0;
	unsigned p = res & 0xff;

	res &= size_mask(size);
	if (!res)
		f |= FL_ZF;
	if (res & sign_bit(size))
		f |= FL_SF;
	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= FL_PF;
	return f;
}

/*
 * One ALU operation at `size`: the result, and in *fl all six arithmetic
 * flags (AF is 0 after logic operations, as on Intel and AMD hardware).
 */
static u64 alu(enum x86_op op, u64 a, u64 b, unsigned size, u64 fl_in, u64 *fl)
{
	u64 m = size_mask(size), sb = sign_bit(size), res, cin = 0, f = 0;

	a &= m;
	b &= m;
	switch (op) {
	case X86_OP_ADC:
		cin = fl_in & FL_CF;
		/* fall through */
	case X86_OP_ADD:
	case X86_OP_INC:
	case X86_OP_XADD:
		res = (a + b + cin) & m;
		if (size == 8 ? (res < a || (cin && res == a)) : (a + b + cin > m))
			f |= FL_CF;
		if ((a ^ res) & (b ^ res) & sb)
			f |= FL_OF;
		break;
	case X86_OP_SBB:
		cin = fl_in & FL_CF;
		/* fall through */
	case X86_OP_SUB:
	case X86_OP_CMP:
	case X86_OP_DEC:
	case X86_OP_NEG:
	case X86_OP_CMPXCHG:
	case X86_OP_CMPS:
	case X86_OP_SCAS:
		res = (a - b - cin) & m;
		if (a < b || (cin && a == b))
			f |= FL_CF;
		if ((a ^ b) & (a ^ res) & sb)
			f |= FL_OF;
		break;
	case X86_OP_AND:
	case X86_OP_TEST:
		res = a & b;
		*fl = flags_szp(res, size);
		return res;
	case X86_OP_OR:
		res = a | b;
		*fl = flags_szp(res, size);
		return res;
	case X86_OP_XOR:
		res = a ^ b;
		*fl = flags_szp(res, size);
		return res;
	default:
		*fl = 0;
		return 0;
	}
	f |= (a ^ b ^ res) & FL_AF;
	*fl = f | flags_szp(res, size);
	return res;
}

static void flags_commit(const struct emu *e, u64 mask, u64 val)
{
	u64 rf = e->ops->get_rflags(e->ctx);

	e->ops->set_rflags(e->ctx, (rf & ~mask) | (val & mask));
}

/* Condition code cc (0-15) of Jcc/SETcc/CMOVcc. */
static bool cond_true(unsigned cc, u64 f)
{
	bool r;

	switch (cc >> 1) {
	case 0: r = f & FL_OF; break;
	case 1: r = f & FL_CF; break;
	case 2: r = f & FL_ZF; break;
	case 3: r = (f & FL_CF) || (f & FL_ZF); break;
	case 4: r = f & FL_SF; break;
	case 5: r = f & FL_PF; break;
	case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
	default: r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
	}
	return (cc & 1) ? !r : r;
}

/* ---- instruction groups ------------------------------------------------- */

static int emu_mov(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize;
	struct opnd dst, src;
	u64 val;
	int rc;

	if (in->map == X86_MAP_0F) {		/* 0F C3 MOVNTI My, Gy */
		dst = op_rm(e, sz);
		src = op_reg(in->reg, sz);
	} else {
		switch (in->opcode) {
		case 0x88: case 0x89:
			dst = op_rm(e, sz);
			src = op_reg(in->reg, sz);
			break;
		case 0x8a: case 0x8b:
			dst = op_reg(in->reg, sz);
			src = op_rm(e, sz);
			break;
		case 0xa0: case 0xa1:
			dst = op_reg(X86_RAX, sz);
			src = op_rm(e, sz);
			break;
		case 0xa2: case 0xa3:
			dst = op_rm(e, sz);
			src = op_reg(X86_RAX, sz);
			break;
		case 0xb0 ... 0xbf: case 0xc6: case 0xc7:
			dst = in->opcode >= 0xc6 ? op_rm(e, sz) : op_reg(in->reg, sz);
			rc = op_write_mem(e, &dst, in->imm);
			if (rc)
				return rc;
			op_write_reg(e, &dst, in->imm);
			return X86EMU_OK;
		default:
			return X86EMU_UNHANDLED;
		}
	}
	rc = op_read(e, &src, &val);
	if (!rc)
		rc = op_write_mem(e, &dst, val);
	if (rc)
		return rc;
	op_write_reg(e, &dst, val);
	return X86EMU_OK;
}

/* MOVZX, MOVSX, MOVSXD: Gv <- Eb/Ew/Ed, extended. */
static int emu_movx(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	struct opnd src = op_rm(e, in->mem_size ? in->mem_size : in->opsize);
	u64 val;
	int rc;

	if (in->op != X86_OP_MOVSXD)
		src.size = in->opcode & 1 ? 2 : 1;
	else if (src.size > 4)
		src.size = 4;
	rc = op_read(e, &src, &val);
	if (rc)
		return rc;
	if (in->op != X86_OP_MOVZX)
		val = sign_extend(val, src.size);
	reg_write(e, in->reg, in->opsize, val);
	return X86EMU_OK;
}

/* ADD..CMP and TEST in all their forms. */
static int emu_alu(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize;
	struct opnd dst, src_reg = { 0 };
	bool src_is_imm = in->has_imm;
	u64 a, b, res, fl;
	int rc;

	if (in->map != X86_MAP_1B)
		return X86EMU_UNHANDLED;
	if (in->opcode < 0x40 && (in->opcode & 7) >= 4) {	/* AL/eAX, imm */
		dst = op_reg(X86_RAX, sz);
	} else if (in->opcode == 0xa8 || in->opcode == 0xa9) {
		dst = op_reg(X86_RAX, sz);
	} else if (in->opcode < 0x40 && (in->opcode & 2)) {	/* Gv, Ev */
		dst = op_reg(in->reg, sz);
		src_reg = op_rm(e, sz);
	} else {
		dst = op_rm(e, sz);
		src_reg = op_reg(in->reg, sz);
	}
	rc = op_read(e, &dst, &a);
	if (rc)
		return rc;
	if (src_is_imm) {
		b = in->imm;
	} else {
		rc = op_read(e, &src_reg, &b);
		if (rc)
			return rc;
	}
	res = alu(in->op, a, b, sz, e->ops->get_rflags(e->ctx), &fl);
	if (in->op != X86_OP_CMP && in->op != X86_OP_TEST) {
		rc = op_write_mem(e, &dst, res);
		if (rc)
			return rc;
		op_write_reg(e, &dst, res);
	}
	flags_commit(e, FL_ARITH, fl);
	return X86EMU_OK;
}

/* NOT, NEG, INC, DEC on r/m (or a +r register for 40-4F outside 64-bit mode). */
static int emu_unary(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize;
	struct opnd dst = (in->opcode & 0xf0) == 0x40 ? op_reg(in->reg, sz) : op_rm(e, sz);
	u64 a, res, fl = 0, mask;
	int rc;

	rc = op_read(e, &dst, &a);
	if (rc)
		return rc;
	switch (in->op) {
	case X86_OP_NOT:
		res = ~a;
		mask = 0;
		break;
	case X86_OP_NEG:
		res = alu(X86_OP_NEG, 0, a, sz, 0, &fl);
		mask = FL_ARITH;
		break;
	case X86_OP_INC:
		res = alu(X86_OP_INC, a, 1, sz, 0, &fl);
		mask = FL_ARITH & ~FL_CF;
		break;
	default:
		res = alu(X86_OP_DEC, a, 1, sz, 0, &fl);
		mask = FL_ARITH & ~FL_CF;
		break;
	}
	rc = op_write_mem(e, &dst, res);
	if (rc)
		return rc;
	op_write_reg(e, &dst, res);
	if (mask)
		flags_commit(e, mask, fl);
	return X86EMU_OK;
}

/* XCHG, XADD, CMPXCHG: r/m operand and ModRM.reg (and the accumulator). */
static int emu_exchange(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize;
	struct opnd dst = op_rm(e, sz);
	u64 d, s, acc = 0, res, fl = 0;
	bool equal = false;
	int rc;

	rc = op_read(e, &dst, &d);
	if (rc)
		return rc;
	s = reg_read(e, in->reg, sz);
	switch (in->op) {
	case X86_OP_XCHG:
		res = s;
		break;
	case X86_OP_XADD:
		res = alu(X86_OP_ADD, d, s, sz, 0, &fl);
		break;
	default:			/* CMPXCHG: always writes, like the CPU */
		acc = reg_read(e, X86_RAX, sz);
		alu(X86_OP_CMPXCHG, acc, d, sz, 0, &fl);
		equal = acc == d;
		res = equal ? s : d;
		break;
	}
	rc = op_write_mem(e, &dst, res);
	if (rc)
		return rc;
	switch (in->op) {
	case X86_OP_XCHG:
		/* register-register: write the r/m side first, like an exchange */
		op_write_reg(e, &dst, res);
		reg_write(e, in->reg, sz, d);
		break;
	case X86_OP_XADD:
		reg_write(e, in->reg, sz, d);
		op_write_reg(e, &dst, res);
		flags_commit(e, FL_ARITH, fl);
		break;
	default:
		/* on a mismatch the CPU writes DEST back and loads the accumulator */
		op_write_reg(e, &dst, res);
		if (!equal)
			reg_write(e, X86_RAX, sz, d);
		flags_commit(e, FL_ARITH, fl);
		break;
	}
	return X86EMU_OK;
}

/* BT, BTS, BTR, BTC with a register (0F A3/AB/B3/BB) or imm8 (0F BA) offset. */
static int emu_bt(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize, bits = sz * 8;
	struct opnd dst;
	u64 val, bit, res;
	int rc;

	if (sz < 2)
		return X86EMU_UNHANDLED;
	if (in->has_imm) {
		bit = in->imm & (bits - 1);
		dst = op_rm(e, sz);
	} else {
		s64 off = (s64)sign_extend(reg_read(e, in->reg, sz), sz);

		bit = (u64)off & (bits - 1);
		if (in->has_mem) {
			/* the offset selects an operand-sized unit relative to the EA */
			s64 unit = off >= 0 ? off / (s64)bits : -((-(off + 1)) / (s64)bits) - 1;
			u64 ea = (mem_ea(e) + (u64)unit * sz) & size_mask(in->addrsize);

			dst.mem = true;
			dst.size = sz;
			dst.la = linear(e, in->seg, ea);
		} else {
			dst = op_rm(e, sz);
		}
	}
	rc = op_read(e, &dst, &val);
	if (rc)
		return rc;
	switch (in->op) {
	case X86_OP_BTS: res = val | (1ull << bit); break;
	case X86_OP_BTR: res = val & ~(1ull << bit); break;
	case X86_OP_BTC: res = val ^ (1ull << bit); break;
	default: res = val; break;
	}
	if (in->op != X86_OP_BT) {
		rc = op_write_mem(e, &dst, res);
		if (rc)
			return rc;
		op_write_reg(e, &dst, res);
	}
	flags_commit(e, FL_CF, (val >> bit) & 1 ? FL_CF : 0);
	return X86EMU_OK;
}

static int emu_setcc(const struct emu *e)
{
	struct opnd dst = op_rm(e, 1);
	u64 v = cond_true(e->in->opcode & 15, e->ops->get_rflags(e->ctx));
	int rc = op_write_mem(e, &dst, v);

	if (rc)
		return rc;
	op_write_reg(e, &dst, v);
	return X86EMU_OK;
}

/* One iteration of MOVS/CMPS/STOS/LODS/SCAS; REP counts in rCX. */
static int emu_string(const struct emu *e)
{
	const struct x86_insn *in = e->in;
	unsigned sz = in->opsize, as = in->addrsize;
	u64 am = size_mask(as), rcx = 0, si, di, a = 0, b = 0, fl = 0, step;
	bool use_si, use_di;
	int rc;

	if (in->rep != X86_REP_NONE) {
		rcx = e->ops->get_gpr(e->ctx, X86_RCX) & am;
		if (!rcx)
			return X86EMU_OK;
	}
	step = (e->ops->get_rflags(e->ctx) & X86_RFLAGS_DF) ? -(u64)sz : sz;
	si = e->ops->get_gpr(e->ctx, X86_RSI) & am;
	di = e->ops->get_gpr(e->ctx, X86_RDI) & am;
	use_si = in->op != X86_OP_STOS && in->op != X86_OP_SCAS;
	use_di = in->op != X86_OP_LODS;

	if (use_si) {
		rc = mem_access(e, linear(e, in->seg, si), &a, sz, false);
		if (rc)
			return rc;
	}
	switch (in->op) {
	case X86_OP_MOVS:
		rc = mem_access(e, linear(e, X86_SEG_ES, di), &a, sz, true);
		break;
	case X86_OP_STOS:
		a = reg_read(e, X86_RAX, sz);
		rc = mem_access(e, linear(e, X86_SEG_ES, di), &a, sz, true);
		break;
	case X86_OP_CMPS:
		rc = mem_access(e, linear(e, X86_SEG_ES, di), &b, sz, false);
		break;
	case X86_OP_SCAS:
		a = reg_read(e, X86_RAX, sz);
		rc = mem_access(e, linear(e, X86_SEG_ES, di), &b, sz, false);
		break;
	default:
		rc = X86EMU_OK;
		break;
	}
	if (rc)
		return rc;

	if (in->op == X86_OP_LODS)
		reg_write(e, X86_RAX, sz, a);
	if (use_si)
		reg_write(e, X86_RSI, as, si + step);
	if (use_di)
		reg_write(e, X86_RDI, as, di + step);
	if (in->op == X86_OP_CMPS || in->op == X86_OP_SCAS) {
		alu(X86_OP_CMP, a, b, sz, 0, &fl);
		flags_commit(e, FL_ARITH, fl);
	}
	if (in->rep == X86_REP_NONE)
		return X86EMU_OK;
	reg_write(e, X86_RCX, as, --rcx);
	if (!(rcx & am))
		return X86EMU_OK;
	if (in->op == X86_OP_CMPS || in->op == X86_OP_SCAS) {
		/* REPE stops on a difference, REPNE on a match */
		if ((in->rep == X86_REP_REPE) != !!(fl & FL_ZF))
			return X86EMU_OK;
	}
	return X86EMU_RETRY;
}

int x86_emulate(const struct x86_insn *insn, const struct x86_emu_ops *ops, void *ctx)
{
	struct emu e = { .in = insn, .ops = ops, .ctx = ctx };
	unsigned sz = insn->opsize;

	if (sz != 1 && sz != 2 && sz != 4 && sz != 8)
		return X86EMU_UNHANDLED;
	if (insn->addrsize != 2 && insn->addrsize != 4 && insn->addrsize != 8)
		return X86EMU_UNHANDLED;
	if (insn->has_mem && (insn->seg > X86_SEG_GS || insn->scale == 0))
		return X86EMU_UNHANDLED;

	switch (insn->op) {
	case X86_OP_MOV:
		return emu_mov(&e);
	case X86_OP_MOVZX: case X86_OP_MOVSX: case X86_OP_MOVSXD:
		return emu_movx(&e);
	case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
	case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR: case X86_OP_CMP:
	case X86_OP_TEST:
		return emu_alu(&e);
	case X86_OP_NOT: case X86_OP_NEG: case X86_OP_INC: case X86_OP_DEC:
		return emu_unary(&e);
	case X86_OP_XCHG: case X86_OP_XADD: case X86_OP_CMPXCHG:
		return emu_exchange(&e);
	case X86_OP_BT: case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		return emu_bt(&e);
	case X86_OP_SETCC:
		return emu_setcc(&e);
	case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_STOS: case X86_OP_LODS:
	case X86_OP_SCAS:
		if (insn->seg > X86_SEG_GS)
			return X86EMU_UNHANDLED;
		return emu_string(&e);
	default:
		return X86EMU_UNHANDLED;
	}
}
