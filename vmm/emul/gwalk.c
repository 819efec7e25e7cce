// SPDX-License-Identifier: MIT
/*
 * gwalk.c: walks a guest's page tables in software, as its MMU would, so
 * the emulator can turn a linear address into a guest-physical one (and
 * produce the exact #PF error code when the guest would fault).
 */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/gwalk.h>
#include <tv/string.h>

#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE (1ull << 22)
#define CR4_PKS (1ull << 24)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define RFLAGS_AC (1ull << 18)

#define E_P (1ull << 0)
#define E_RW (1ull << 1)
#define E_US (1ull << 2)
#define E_A (1ull << 5)
#define E_D (1ull << 6)
#define E_PS (1ull << 7)
#define E_XD (1ull << 63)

/* Bits lo..hi inclusive. */
static u64 bits(unsigned hi, unsigned lo)
{
	return ((hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}

enum pg_mode { PG_32, PG_PAE, PG_4L };

struct walk {
	const struct gwalk_regs *r;
	const struct gwalk_ops *ops;
	void *ctx;
	enum pg_mode mode;
	unsigned esize;		/* entry size: 4 or 8 */
	u64 addr_mask;		/* table/page address bits of an 8-byte entry */
	u64 hi_rsvd;		/* reserved high bits (above MAXPHYADDR, XD) */
	bool nxe;
	/* the entries used, for the A/D update: [0] is the top level */
	unsigned n;
	u64 e_gpa[4], e_val[4];
	bool e_ad[4];		/* entry has an Accessed bit */
};

/* Reserved bits of a present entry at `level`, given its PS bit. */
static u64 rsvd_bits(const struct walk *w, unsigned level, bool ps)
{
	unsigned m = w->r->maxphyaddr;

	if (w->mode == PG_32) {
		if (level == 2 && ps) {		/* 4 MiB page: PA bits 39:32 in 20:13 */
			unsigned m32 = MIN(m, 40u);

			return bits(21, m32 - 19);
		}
		return 0;
	}
	if (w->mode == PG_PAE && level == 3)	/* PDPTE: no R/W, U/S, A, XD */
		return bits(63, m) | bits(8, 5) | bits(2, 1);
	if (level == 4)
		return w->hi_rsvd | E_PS;
	if (level == 3 && ps)
		return w->r->gbpages ? w->hi_rsvd | bits(29, 13) : w->hi_rsvd | E_PS;
	if (level == 2 && ps)
		return w->hi_rsvd | bits(20, 13);
	return w->hi_rsvd;
}

/* The I/D bit is only reported when NX or SMEP makes fetches special. */
static u32 pf_base(const struct walk *w, unsigned access)
{
	u32 ec = 0;

	if (access & GWALK_WRITE)
		ec |= GWALK_PF_W;
	if (access & GWALK_USER)
		ec |= GWALK_PF_U;
	if ((access & GWALK_FETCH) &&
	    ((w->r->cr4 & CR4_SMEP) || (w->mode != PG_32 && w->nxe)))
		ec |= GWALK_PF_I;
	return ec;
}

/*
 * Permission check of a completed translation (SDM "Access Rights" and
 * "Protection Keys"). Returns 0 or the extra error-code bits (P, PK).
 */
static u32 check_access(const struct walk *w, const struct gwalk_info *info, u64 leaf,
			unsigned access)
{
	const struct gwalk_regs *r = w->r;
	bool write = access & GWALK_WRITE, fetch = access & GWALK_FETCH;
	bool user = access & GWALK_USER;
	bool wp = r->cr0 & CR0_WP;
	bool fault = false;
	u32 ec = 0;

	if (user) {
		if (!info->user || (write && !info->writable) || (fetch && info->nx))
			fault = true;
	} else if (fetch) {
		if (info->nx || ((r->cr4 & CR4_SMEP) && info->user))
			fault = true;
	} else {
		bool implicit = (access & GWALK_IMPLICIT) || r->cpl == 3;

		if (info->user && (r->cr4 & CR4_SMAP) && (implicit || !(r->rflags & RFLAGS_AC)))
			fault = true;
		if (write && wp && !info->writable)
			fault = true;
	}
	/* protection keys: data accesses to user pages, 4-level paging only */
	if (w->mode == PG_4L && (r->cr4 & CR4_PKE) && info->user && !fetch) {
		unsigned key = (leaf >> 59) & 15;
		bool ad = (r->pkru >> (2 * key)) & 1, wd = (r->pkru >> (2 * key + 1)) & 1;

		if (ad || (write && wd && (user || wp))) {
			fault = true;
			ec |= GWALK_PF_PK;
		}
	}
	return fault ? ec | GWALK_PF_P : 0;
}

/* Set Accessed on every entry used and Dirty on the leaf of a write. */
static int update_ad(struct walk *w, bool write)
{
	for (unsigned i = 0; i < w->n; i++) {
		u64 old = w->e_val[i], val = old;
		int rc;

		if (!w->e_ad[i])
			continue;
		val |= E_A;
		if (write && i == w->n - 1)
			val |= E_D;
		if (val == old || !w->ops->write)
			continue;
		rc = w->ops->write(w->ctx, w->e_gpa[i], w->esize, old, val);
		if (rc == -EAGAIN)
			return -EAGAIN;
		if (rc)
			return -EFAULT;
	}
	return 0;
}

static int walk_setup(struct walk *w, const struct gwalk_regs *r, unsigned access)
{
	const u64 cr4 = r->cr4;

	if (r->maxphyaddr < 32 || r->maxphyaddr > 52 || r->cpl > 3)
		return -EINVAL;
	if ((access & ~(GWALK_WRITE | GWALK_USER | GWALK_FETCH | GWALK_IMPLICIT)) ||
	    ((access & GWALK_WRITE) && (access & GWALK_FETCH)) ||
	    ((access & GWALK_USER) && (access & GWALK_IMPLICIT)))
		return -EINVAL;
	if (cr4 & CR4_LA57)
		return -EOPNOTSUPP;
	w->nxe = r->efer & EFER_NXE;
	if (r->efer & EFER_LMA) {
		if (!(cr4 & CR4_PAE))
			return -EINVAL;
		if (cr4 & CR4_PKS)
			return -EOPNOTSUPP;
		w->mode = PG_4L;
		w->hi_rsvd = bits(51, r->maxphyaddr);
	} else if (cr4 & CR4_PAE) {
		w->mode = PG_PAE;
		w->hi_rsvd = bits(62, r->maxphyaddr);
	} else {
		w->mode = PG_32;
	}
	if (w->mode != PG_32 && !w->nxe)
		w->hi_rsvd |= E_XD;
	w->esize = w->mode == PG_32 ? 4 : 8;
	w->addr_mask = bits(r->maxphyaddr - 1, 12);
	return 0;
}

int gwalk_ex(const struct gwalk_regs *r, u64 gla, unsigned access, const struct gwalk_ops *ops,
	     void *ctx, struct gwalk_info *info)
{
	struct walk w = { .r = r, .ops = ops, .ctx = ctx };
	unsigned level, shift, top;
	u64 table, e = 0;
	u32 ec;
	int rc;

	memset(info, 0, sizeof(*info));
	if (!(r->cr0 & CR0_PG)) {
		if (r->efer & EFER_LMA)
			return -EINVAL;
		info->gpa = gla & 0xffffffffull;
		info->page_size = 1ull << 32;
		info->writable = info->user = true;
		return 0;
	}
	rc = walk_setup(&w, r, access);
	if (rc)
		return rc;

	switch (w.mode) {
	case PG_4L:
		if ((u64)((s64)(gla << 16) >> 16) != gla)
			return GWALK_NONCANONICAL;
		table = r->cr3 & w.addr_mask;
		top = 4;
		break;
	case PG_PAE:
		gla &= 0xffffffffull;
		table = r->cr3 & 0xffffffe0ull;
		top = 3;
		break;
	default:
		gla &= 0xffffffffull;
		table = r->cr3 & 0xfffff000ull;
		top = 2;
		break;
	}
	info->writable = info->user = true;

	for (level = top; level >= 1; level--) {
		unsigned ibits = w.mode == PG_32 ? 10 : (w.mode == PG_PAE && level == 3) ? 2 : 9;
		u64 gpa_e;
		bool ps;

		shift = w.mode == PG_32 ? 12 + 10 * (level - 1) : 12 + 9 * (level - 1);
		gpa_e = table + ((gla >> shift) & ((1u << ibits) - 1)) * w.esize;
		if (ops->read(ctx, gpa_e, w.esize, &e))
			return -EFAULT;
		if (w.esize == 4)
			e &= 0xffffffffull;
		if (!(e & E_P)) {
			info->pf_error = pf_base(&w, access);
			return GWALK_PAGE_FAULT;
		}
		/*
		 * Bit 7 is PS in PDEs (32-bit paging: only with CR4.PSE) and
		 * 4-level PDPTEs; elsewhere it is PAT or reserved, which
		 * rsvd_bits() knows, as it knows PDPTE.PS without 1 GiB pages.
		 */
		ps = (e & E_PS) && (level == 2 || (level == 3 && w.mode == PG_4L)) &&
		     !(w.mode == PG_32 && !(r->cr4 & CR4_PSE));
		if (e & rsvd_bits(&w, level, ps)) {
			info->pf_error = pf_base(&w, access) | GWALK_PF_P | GWALK_PF_RSVD;
			return GWALK_PAGE_FAULT;
		}
		w.e_gpa[w.n] = gpa_e;
		w.e_val[w.n] = e;
		w.e_ad[w.n] = !(w.mode == PG_PAE && level == 3);
		w.n++;
		if (!(w.mode == PG_PAE && level == 3)) {
			info->writable &= !!(e & E_RW);
			info->user &= !!(e & E_US);
			if (w.nxe && (e & E_XD))
				info->nx = true;
		}
		if (ps || level == 1)
			break;
		table = w.esize == 4 ? e & 0xfffff000ull : e & w.addr_mask;
	}

	info->level = level;
	info->page_size = 1ull << shift;
	if (w.mode == PG_32 && level == 2)
		info->gpa = (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32);
	else if (w.mode == PG_32)
		info->gpa = e & 0xfffff000ull;
	else
		info->gpa = e & w.addr_mask & ~(info->page_size - 1);
	info->gpa |= gla & (info->page_size - 1);

	ec = check_access(&w, info, e, access);
	if (ec) {
		info->pf_error = pf_base(&w, access) | ec;
		return GWALK_PAGE_FAULT;
	}
	return update_ad(&w, access & GWALK_WRITE);
}

int gwalk(const struct gwalk_regs *r, u64 gla, unsigned access, const struct gwalk_ops *ops,
	  void *ctx, u64 *gpa, u32 *pf_error)
{
	struct gwalk_info info;
	int rc = gwalk_ex(r, gla, access, ops, ctx, &info);

	if (gpa)
		*gpa = rc == 0 ? info.gpa : 0;
	if (pf_error)
		*pf_error = rc == GWALK_PAGE_FAULT ? info.pf_error : 0;
	return rc;
}
