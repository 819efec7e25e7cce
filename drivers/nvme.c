// SPDX-License-Identifier: MIT
/*
 * nvme.c: host NVMe controllers: reset and enable, an admin queue and one
 * polled I/O queue pair, each namespace exposed as a struct blkdev.
 * Errors and timeouts return -EIO and are logged; a controller that timed
 * out or reported a fatal status (CSTS.CFS) is marked failed and fails
 * every later request: re-initialising it is left for later.
 */
#include <arch/mm.h>
#include <tv/arch.h>
#include <tv/blkdev.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/nvme.h>
#include <tv/pci.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>

#define MAX_CTRLS 4
#define MAX_NS 8
#define ADMIN_DEPTH 16
#define IO_DEPTH 64
#define CHUNK_MAX (128u << 10)           /* bytes per command, before MDTS */
#define CMD_TIMEOUT_NS 10000000000ull    /* generous: emulated controllers are slow */

struct nvme_queue {
	volatile struct nvme_sqe *sq;
	struct nvme_cq cq;
	paddr_t sq_pa, cq_pa;
	u16 qid, tail, cid;
};

struct nvme_ctrl {
	struct pci_dev *pci;
	volatile u8 *regs;
	u32 dstrd;
	u64 ready_timeout_ns;                /* CAP.TO */
	bool failed;
	spinlock_t lock;                     /* one command at a time per controller */
	struct nvme_queue adm, io;
	u64 *prp_list;
	paddr_t prp_pa;
	u32 max_xfer;
	bool fua_by_flush;                   /* FUA bit ignored: follow such writes with FLUSH */
	struct nvme_ctrl_info info;
	char name[8];
};

struct nvme_ns {
	struct blkdev bd;
	struct nvme_ctrl *c;
	u32 nsid;
	u32 shift;                           /* log2(LBA size / 512) */
};

static struct nvme_ctrl ctrls[MAX_CTRLS];
static unsigned nctrls;
static struct nvme_ns nss[MAX_NS];
static unsigned nnss;

static u32 rd32(struct nvme_ctrl *c, u32 off) { return *(volatile u32 *)(c->regs + off); }
static void wr32(struct nvme_ctrl *c, u32 off, u32 v) { *(volatile u32 *)(c->regs + off) = v; }

static u64 rd64(struct nvme_ctrl *c, u32 off)
{
	return rd32(c, off) | (u64)rd32(c, off + 4) << 32;
}

static void wr64(struct nvme_ctrl *c, u32 off, u64 v)
{
	wr32(c, off, (u32)v);
	wr32(c, off + 4, (u32)(v >> 32));
}

static void doorbell(struct nvme_ctrl *c, u16 qid, bool cq, u32 v)
{
	barrier();   /* x86 keeps stores in order; the compiler must too */
	wr32(c, NVME_REG_DBS + ((2u * qid + cq) << (2 + c->dstrd)), v);
}

/*
 * A command that never completed may still move data later, into a buffer
 * its caller reuses: cut the controller off the bus before returning.
 */
static int fail(struct nvme_ctrl *c, const char *what)
{
	pr_err("%s: %s; controller stopped, its disks now return errors\n", c->name, what);
	c->failed = true;
	pci_cfg_write(c->pci, PCI_COMMAND, 2, pci_cfg_read(c->pci, PCI_COMMAND, 2) & ~PCI_CMD_MASTER);
	wr32(c, NVME_REG_CC, rd32(c, NVME_REG_CC) & ~NVME_CC_EN);
	return -EIO;
}

/* Run one command to completion: 0, or -EIO (logged). */
static int run(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_sqe *cmd)
{
	u64 end = arch_uptime_ns() + CMD_TIMEOUT_NS;
	struct nvme_cqe e;

	if (c->failed)
		return -EIO;
	cmd->cid = ++q->cid;
	q->sq[q->tail] = *cmd;
	q->tail = (q->tail + 1) % q->cq.size;
	doorbell(c, q->qid, false, q->tail);
	while (!nvme_cq_pop(&q->cq, &e)) {
		u32 csts = rd32(c, NVME_REG_CSTS);

		if (csts == ~0u || (csts & NVME_CSTS_CFS))
			return fail(c, csts == ~0u ? "controller gone" : "controller fatal status (CSTS.CFS)");
		if (arch_uptime_ns() > end)
			return fail(c, "command timed out");
		arch_pause();
	}
	doorbell(c, q->qid, true, q->cq.head);
	if (e.cid != cmd->cid)
		return fail(c, "completion for an unknown command");
	if (nvme_status(&e)) {
		pr_err("%s: opcode %#x on queue %u failed: status %#x\n", c->name, cmd->opc, q->qid,
		       nvme_status(&e));
		return -EIO;
	}
	return 0;
}

static int wait_ready(struct nvme_ctrl *c, u32 rdy)
{
	u64 end = arch_uptime_ns() + c->ready_timeout_ns;

	for (;;) {
		u32 csts = rd32(c, NVME_REG_CSTS);

		if (csts == ~0u)
			return -EIO;
		if ((csts & NVME_CSTS_RDY) == rdy)
			return 0;
		if (rdy && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (arch_uptime_ns() > end)
			return -ETIMEDOUT;
		arch_pause();
	}
}

static int queue_alloc(struct nvme_queue *q, u16 qid, u16 depth)
{
	void *sq = pmm_alloc_page_zeroed(&q->sq_pa);
	void *cq = pmm_alloc_page_zeroed(&q->cq_pa);

	if (!sq || !cq)
		return -ENOMEM;
	q->sq = sq;
	q->cq.e = cq;
	q->cq.size = depth;
	q->cq.phase = 1;
	q->qid = qid;
	return 0;
}

static int io_rw(struct nvme_ns *ns, u8 opc, u64 lba, u32 count, void *buf, bool fua)
{
	struct nvme_ctrl *c = ns->c;
	u32 mask = (1u << ns->shift) - 1;
	bool flush = fua && c->fua_by_flush && c->info.vwc;
	u8 *p = buf;
	int r = 0;

	if (lba + count > ns->bd.sectors || lba + count < lba || ((lba | count) & mask))
		return -EINVAL;
	spin_lock(&c->lock);
	while (count && !r) {
		u32 n = MIN(count, c->max_xfer / BLKDEV_SECTOR);
		u64 pa = virt_to_phys(p);
		struct nvme_sqe cmd;

		/* The controller reads or writes RAM directly: only ever our own RAM. */
		if (!arch_phys_is_mapped(pa, (u64)n * BLKDEV_SECTOR)) {
			r = -EINVAL;
			break;
		}
		nvme_cmd_rw(&cmd, opc, ns->nsid, lba >> ns->shift, n >> ns->shift, fua);
		r = nvme_prp_build(pa, n * BLKDEV_SECTOR, c->prp_list, c->prp_pa, &cmd.prp1, &cmd.prp2);
		if (!r)
			r = run(c, &c->io, &cmd);
		lba += n;
		count -= n;
		p += (u64)n * BLKDEV_SECTOR;
	}
	if (flush && !r) {
		struct nvme_sqe cmd;

		nvme_cmd_rw(&cmd, NVME_CMD_FLUSH, ns->nsid, 0, 0, false);
		r = run(c, &c->io, &cmd);
	}
	spin_unlock(&c->lock);
	return r;
}

static int ns_read(struct blkdev *d, u64 lba, u32 count, void *buf)
{
	return io_rw(d->priv, NVME_CMD_READ, lba, count, buf, false);
}

static int ns_write(struct blkdev *d, u64 lba, u32 count, const void *buf, bool fua)
{
	return io_rw(d->priv, NVME_CMD_WRITE, lba, count, (void *)buf, fua);
}

/* Without a volatile write cache a completed write is already durable. */
static int ns_flush(struct blkdev *d)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_sqe cmd;
	int r;

	if (!ns->c->info.vwc)
		return ns->c->failed ? -EIO : 0;
	nvme_cmd_rw(&cmd, NVME_CMD_FLUSH, ns->nsid, 0, 0, false);
	spin_lock(&ns->c->lock);
	r = run(ns->c, &ns->c->io, &cmd);
	spin_unlock(&ns->c->lock);
	return r;
}

static const struct blkdev_ops ns_ops = { .read = ns_read, .write = ns_write, .flush = ns_flush };

static int admin(struct nvme_ctrl *c, u8 opc, u32 nsid, paddr_t prp1, u32 cdw10, u32 cdw11)
{
	struct nvme_sqe cmd = { .opc = opc, .nsid = nsid, .prp1 = prp1, .cdw10 = cdw10, .cdw11 = cdw11 };

	return run(c, &c->adm, &cmd);
}

static void add_namespaces(struct nvme_ctrl *c, u8 *id, paddr_t id_pa)
{
	for (u32 nsid = 1; nsid <= c->info.nn && nsid <= MAX_NS && nnss < MAX_NS; nsid++) {
		struct nvme_ns_info ni;
		struct nvme_ns *ns = &nss[nnss];

		memset(id, 0, NVME_PAGE);
		if (admin(c, NVME_ADM_IDENTIFY, nsid, id_pa, 0, 0))
			return;
		if (nvme_parse_ns(id, &ni)) {
			if (ni.nsze)
				pr_warn("%sn%u: LBA format with metadata or of an unusable size; not used\n",
					c->name, nsid);
			continue;
		}
		ns->c = c;
		ns->nsid = nsid;
		ns->shift = __builtin_ctz(ni.lba_size) - 9;
		ns->bd.ops = &ns_ops;
		ns->bd.sectors = ni.nsze << ns->shift;
		ns->bd.priv = ns;
		snprintf(ns->bd.name, sizeof(ns->bd.name), "%sn%u", c->name, nsid);
		pr_info("%s: %llu blocks of %u bytes (%llu MiB)\n", ns->bd.name,
			(unsigned long long)ni.nsze, ni.lba_size,
			(unsigned long long)(ns->bd.sectors >> 11));
		nnss++;
	}
}

/* Bring the controller up to a created I/O queue pair. */
static int ctrl_start(struct nvme_ctrl *c, u8 *id, paddr_t id_pa)
{
	u64 cap = rd64(c, NVME_REG_CAP);
	u16 depth = MIN(IO_DEPTH, NVME_CAP_MQES(cap) + 1);
	int r;

	if (!NVME_CAP_CSS_NVM(cap) || NVME_CAP_MPSMIN(cap) > 0 || depth < 2)
		return -ENODEV;
	c->dstrd = NVME_CAP_DSTRD(cap);
	c->ready_timeout_ns = (NVME_CAP_TO(cap) ? NVME_CAP_TO(cap) : 1) * 500000000ull;
	/* A controller left enabled (by firmware) must be reset before we own its queues. */
	if (rd32(c, NVME_REG_CC) & NVME_CC_EN) {
		wait_ready(c, NVME_CSTS_RDY);
		wr32(c, NVME_REG_CC, rd32(c, NVME_REG_CC) & ~NVME_CC_EN);
	}
	if ((r = wait_ready(c, 0)))
		return r;
	if (queue_alloc(&c->adm, 0, ADMIN_DEPTH) || queue_alloc(&c->io, 1, depth) ||
	    !(c->prp_list = pmm_alloc_page_zeroed(&c->prp_pa)))
		return -ENOMEM;
	wr32(c, NVME_REG_AQA, (ADMIN_DEPTH - 1u) << 16 | (ADMIN_DEPTH - 1u));
	wr64(c, NVME_REG_ASQ, c->adm.sq_pa);
	wr64(c, NVME_REG_ACQ, c->adm.cq_pa);
	wr32(c, NVME_REG_CC, NVME_CC_EN | NVME_CC_IOSQES | NVME_CC_IOCQES);
	if ((r = wait_ready(c, NVME_CSTS_RDY)))
		return r;
	if ((r = admin(c, NVME_ADM_IDENTIFY, 0, id_pa, 1, 0)) || (r = nvme_parse_ctrl(id, &c->info)))
		return r;
	/* One I/O submission and one completion queue (zero-based counts), physically contiguous. */
	if ((r = admin(c, NVME_ADM_SET_FEATURES, 0, 0, 0x07, 0)) ||
	    (r = admin(c, NVME_ADM_CREATE_CQ, 0, c->io.cq_pa, (depth - 1u) << 16 | 1, 1)) ||
	    (r = admin(c, NVME_ADM_CREATE_SQ, 0, c->io.sq_pa, (depth - 1u) << 16 | 1, 1u << 16 | 1)))
		return r;
	c->max_xfer = CHUNK_MAX;
	if (c->info.mdts && c->info.mdts < 16 && (NVME_PAGE << c->info.mdts) < c->max_xfer)
		c->max_xfer = NVME_PAGE << c->info.mdts;
	return 0;
}

static int nvme_probe(struct pci_dev *pd)
{
	struct nvme_ctrl *c = &ctrls[nctrls];
	paddr_t id_pa;
	u8 *id;
	int r;

	if (nctrls == MAX_CTRLS)
		return -ENOSPC;
	memset(c, 0, sizeof(*c));   /* what a controller that failed its probe left */
	c->pci = pd;
	snprintf(c->name, sizeof(c->name), "nvme%u", nctrls);
	/* QEMU's emulated controller (7.2) completes FUA writes from its cache. */
	c->fua_by_flush = pd->vendor == 0x1b36 && pd->device == 0x0010;
	c->regs = pci_map_bar(pd, 0);
	id = pmm_alloc_page_zeroed(&id_pa);
	if (!c->regs || !id) {
		pr_err("%s: %02x:%02x.%u: BAR0 unmappable or no memory\n", c->name, pd->bus, pd->dev, pd->fn);
		return -ENOMEM;
	}
	r = ctrl_start(c, id, id_pa);
	if (r) {
		pr_err("%s: %02x:%02x.%u: not usable (%s)\n", c->name, pd->bus, pd->dev, pd->fn,
		       tv_strerror(r));
		/* Stop DMA into queues we are about to forget. */
		wr32(c, NVME_REG_CC, rd32(c, NVME_REG_CC) & ~NVME_CC_EN);
		pmm_free(id_pa, 1);
		return r;
	}
	u32 vs = rd32(c, NVME_REG_VS);

	pr_info("%s: %02x:%02x.%u \"%s\" serial %s, NVMe %u.%u, %s write cache%s, "
		"%u KiB per command\n", c->name, pd->bus, pd->dev, pd->fn, c->info.model, c->info.serial,
		vs >> 16, (vs >> 8) & 0xff, c->info.vwc ? "volatile" : "no volatile",
		c->fua_by_flush ? " (FUA by flush)" : "", c->max_xfer >> 10);
	nctrls++;
	add_namespaces(c, id, id_pa);
	pmm_free(id_pa, 1);
	return 0;
}

unsigned nvme_init(void)
{
	/* Mass storage, non-volatile memory controller, NVM Express. */
	static const struct pci_driver drv = {
		.name = "nvme", .class = 0x010802, .class_mask = 0xffffff, .probe = nvme_probe,
	};

	pci_probe(&drv);
	return nnss;
}

struct blkdev *nvme_namespace(unsigned i)
{
	return i < nnss ? &nss[i].bd : NULL;
}
