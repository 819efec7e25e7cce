/* SPDX-License-Identifier: MIT */
/* gwalk.h: software walk of a guest's own page tables (linear -> guest-physical). */
#ifndef TV_GWALK_H
#define TV_GWALK_H

#include <tv/types.h>

/* The guest state that decides how a linear address translates. */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer;
	u64 rflags;		/* only AC is used (SMAP) */
	u32 pkru;		/* only used with CR4.PKE */
	u8 cpl;			/* 0-3 */
	u8 maxphyaddr;		/* guest CPUID.80000008H:EAX[7:0], 32..52 */
	bool gbpages;		/* 1-GByte pages exist (CPUID.80000001H:EDX[26]) */
};

/*
 * Access flags. Callers set GWALK_USER for accesses made at CPL 3 (except
 * implicit supervisor ones); r->cpl itself only matters to SMAP.
 */
#define GWALK_WRITE 0x1
#define GWALK_USER 0x2		/* user-mode access: checks U/S, sets PF.U */
#define GWALK_FETCH 0x4		/* instruction fetch */
#define GWALK_IMPLICIT 0x8	/* supervisor access to system structures (GDT, ...) */

/* Page-fault error code bits. */
#define GWALK_PF_P 0x1		/* protection violation (0: not present) */
#define GWALK_PF_W 0x2
#define GWALK_PF_U 0x4
#define GWALK_PF_RSVD 0x8
#define GWALK_PF_I 0x10
#define GWALK_PF_PK 0x20

/* Results besides 0 (translated) and negative errors. */
#define GWALK_PAGE_FAULT 1	/* inject #PF with *pf_error, CR2 = gla */
#define GWALK_NONCANONICAL 2	/* inject #GP(0) (or #SS(0) for a stack access) */

/*
 * Paging-structure accesses. read fetches the 4-byte (32-bit paging) or
 * 8-byte entry at gpa; nonzero means gpa is not guest RAM. write stores
 * `val` (old | Accessed/Dirty) over the entry that read returned as `old`:
 * an atomic implementation returns -EAGAIN if the entry changed meanwhile;
 * any other nonzero value is an error. write may be NULL (A/D not kept).
 */
struct gwalk_ops {
	int (*read)(void *ctx, u64 gpa, unsigned size, u64 *val);
	int (*write)(void *ctx, u64 gpa, unsigned size, u64 old, u64 val);
};

/* Everything one walk found out. */
struct gwalk_info {
	u64 gpa;
	u32 pf_error;		/* when GWALK_PAGE_FAULT */
	u8 level;		/* leaf level: 1 (4 KiB), 2 (2/4 MiB), 3 (1 GiB); 0 unpaged */
	u64 page_size;		/* bytes mapped by the leaf (4 GiB when unpaged) */
	bool writable;		/* effective R/W of all levels */
	bool user;		/* effective U/S of all levels */
	bool nx;		/* some level has XD set (with EFER.NXE) */
};

/*
 * Translate gla for an access of kind `access` (GWALK_* flags) the way the
 * guest's MMU would: paging off (identity, 32-bit), 32-bit paging (with
 * CR4.PSE 4 MiB pages), PAE and 4-level paging; checks present, R/W with
 * CR0.WP, U/S, XD with EFER.NXE, SMEP, SMAP, protection keys, reserved
 * bits and canonical form. On success sets Accessed on every entry used
 * and Dirty on the leaf for writes, then returns 0 with *gpa.
 * Returns GWALK_PAGE_FAULT with *pf_error, GWALK_NONCANONICAL, -EFAULT if
 * a table is not readable/writable guest RAM, -EAGAIN if an A/D update
 * raced (walk again), -EOPNOTSUPP for CR4.LA57 or CR4.PKS, and -EINVAL for
 * inconsistent registers or flags. gpa and pf_error may be NULL.
 */
int gwalk(const struct gwalk_regs *r, u64 gla, unsigned access, const struct gwalk_ops *ops,
	  void *ctx, u64 *gpa, u32 *pf_error);

/* gwalk() reporting the page size and effective permissions too. */
int gwalk_ex(const struct gwalk_regs *r, u64 gla, unsigned access, const struct gwalk_ops *ops,
	     void *ctx, struct gwalk_info *info);

#endif
