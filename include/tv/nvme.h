/* SPDX-License-Identifier: MIT */
/*
 * nvme.h: the host NVMe driver (drivers/nvme.c) and its pure half
 * (drivers/nvme_cmd.c: command building, PRPs, completions, Identify
 * parsing), which the unit tests run on the host. NVMe Base spec 1.4 names.
 */
#ifndef TV_NVME_H
#define TV_NVME_H

#include <tv/compiler.h>
#include <tv/types.h>

struct blkdev;

/* Controller registers (BAR0) */
#define NVME_REG_CAP 0x00
#define NVME_REG_VS 0x08
#define NVME_REG_CC 0x14
#define NVME_REG_CSTS 0x1c
#define NVME_REG_AQA 0x24
#define NVME_REG_ASQ 0x28
#define NVME_REG_ACQ 0x30
#define NVME_REG_DBS 0x1000

#define NVME_CAP_MQES(c) ((u32)((c) & 0xffff))
#define NVME_CAP_TO(c) ((u32)(((c) >> 24) & 0xff))       /* units of 500 ms */
#define NVME_CAP_DSTRD(c) ((u32)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c) (((c) >> 37) & 1)
#define NVME_CAP_MPSMIN(c) ((u32)(((c) >> 48) & 0xf))

#define NVME_CC_EN (1u << 0)
#define NVME_CC_IOSQES (6u << 16)                        /* 64-byte SQ entries */
#define NVME_CC_IOCQES (4u << 20)                        /* 16-byte CQ entries */
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)

/* Opcodes */
#define NVME_ADM_CREATE_SQ 0x01
#define NVME_ADM_CREATE_CQ 0x05
#define NVME_ADM_IDENTIFY 0x06
#define NVME_ADM_SET_FEATURES 0x09
#define NVME_CMD_FLUSH 0x00
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ 0x02
#define NVME_RW_FUA (1u << 30)

#define NVME_PAGE 4096u
#define NVME_PRP_PER_LIST (NVME_PAGE / 8)
/* What one PRP list page describes after the first page (PRP1): 512 pages. */
#define NVME_MAX_XFER (NVME_PRP_PER_LIST * NVME_PAGE)

struct nvme_sqe {
	u8 opc;
	u8 flags;
	u16 cid;
	u32 nsid;
	u64 rsvd;
	u64 mptr;
	u64 prp1, prp2;
	u32 cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	u32 dw0;
	u32 rsvd;
	u16 sq_head, sq_id;
	u16 cid;
	u16 status;              /* bit 0: phase tag; bits 15:1 the status field */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe submission entry is 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe completion entry is 16 bytes");
_Static_assert(__builtin_offsetof(struct nvme_sqe, prp1) == 24, "PRP1 at byte 24");
_Static_assert(__builtin_offsetof(struct nvme_sqe, cdw10) == 40, "CDW10 at byte 40");
_Static_assert(__builtin_offsetof(struct nvme_cqe, status) == 14, "status at byte 14");

/* A completion queue as the host consumes it. */
struct nvme_cq {
	volatile struct nvme_cqe *e;
	u16 size, head;
	u8 phase;                /* the phase tag a new entry carries; starts at 1 */
};

struct nvme_ctrl_info {
	char model[41], serial[21];
	u8 mdts;                 /* max transfer 2^mdts min pages; 0 = no limit */
	bool vwc;                /* a volatile write cache exists: FLUSH is needed */
	u32 nn;                  /* number of namespaces */
};

struct nvme_ns_info {
	u64 nsze;                /* size in logical blocks */
	u32 lba_size;            /* bytes */
};

/* Build an I/O command: READ/WRITE of nlb (>= 1) blocks at slba, or FLUSH. */
void nvme_cmd_rw(struct nvme_sqe *c, u8 opc, u32 nsid, u64 slba, u32 nlb, bool fua);

/*
 * PRP entries for len bytes of physically contiguous memory at pa
 * (dword aligned). Needs list (with physical address list_pa) only when
 * the transfer touches more than two pages. Returns 0, or -EINVAL for a
 * misaligned buffer or a length beyond one list page.
 */
int nvme_prp_build(u64 pa, u32 len, u64 *list, u64 list_pa, u64 *prp1, u64 *prp2);

/*
 * Take the next completion if the controller posted one (its phase tag is
 * the expected one): copies it to *out, advances head and flips the phase
 * on wrap. Returns true if an entry was taken.
 */
bool nvme_cq_pop(struct nvme_cq *cq, struct nvme_cqe *out);

/* Status field of a completion (0 = success). */
static inline u16 nvme_status(const struct nvme_cqe *e) { return e->status >> 1; }

/* Parse Identify Controller / Namespace data (4096 bytes). 0 or -EINVAL. */
int nvme_parse_ctrl(const u8 *id, struct nvme_ctrl_info *out);
int nvme_parse_ns(const u8 *id, struct nvme_ns_info *out);

/* ---- the driver ---- */

/* Claim every NVMe controller on the host PCI bus. Returns namespaces found. */
unsigned nvme_init(void);
/* Namespace i (0-based, across controllers) as a block device; NULL past the last. */
struct blkdev *nvme_namespace(unsigned i);

#endif
