// SPDX-License-Identifier: MIT
/* nvme_cmd.c: NVMe commands, PRPs, completions and Identify data, free of hardware access. */
#include <tv/errno.h>
#include <tv/nvme.h>
#include <tv/string.h>

void nvme_cmd_rw(struct nvme_sqe *c, u8 opc, u32 nsid, u64 slba, u32 nlb, bool fua)
{
	memset(c, 0, sizeof(*c));
	c->opc = opc;
	c->nsid = nsid;
	if (opc == NVME_CMD_FLUSH)
		return;
	c->cdw10 = (u32)slba;
	c->cdw11 = (u32)(slba >> 32);
	c->cdw12 = (nlb - 1) | (fua ? NVME_RW_FUA : 0);
}

int nvme_prp_build(u64 pa, u32 len, u64 *list, u64 list_pa, u64 *prp1, u64 *prp2)
{
	u64 first = NVME_PAGE - (pa & (NVME_PAGE - 1)), next = (pa & ~(u64)(NVME_PAGE - 1)) + NVME_PAGE;
	u32 n;

	if ((pa & 3) || !len)
		return -EINVAL;
	*prp1 = pa;
	*prp2 = 0;
	if (len <= first)
		return 0;
	len -= (u32)first;
	if (len <= NVME_PAGE) {
		*prp2 = next;       /* two pages: PRP2 is the second page itself */
		return 0;
	}
	n = (len + NVME_PAGE - 1) / NVME_PAGE;
	/* More entries than one page holds would need chained lists: callers split instead. */
	if (n > NVME_PRP_PER_LIST || (list_pa & (NVME_PAGE - 1)))
		return -EINVAL;
	for (u32 i = 0; i < n; i++)
		list[i] = next + (u64)i * NVME_PAGE;
	*prp2 = list_pa;
	return 0;
}

bool nvme_cq_pop(struct nvme_cq *cq, struct nvme_cqe *out)
{
	volatile struct nvme_cqe *e = &cq->e[cq->head];

	if ((e->status & 1) != cq->phase)
		return false;
	/* Read the rest of the entry only after its phase tag said it is new. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->dw0 = e->dw0;
	out->rsvd = 0;
	out->sq_head = e->sq_head;
	out->sq_id = e->sq_id;
	out->cid = e->cid;
	out->status = e->status;
	if (++cq->head == cq->size) {
		cq->head = 0;
		cq->phase ^= 1;
	}
	return true;
}

/* Identify strings are space padded ASCII. */
static void id_string(char *dst, const u8 *src, size_t n)
{
	size_t len = n;

	while (len && (src[len - 1] == ' ' || src[len - 1] == 0))
		len--;
	for (size_t i = 0; i < len; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[len] = '\0';
}

static u32 le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

int nvme_parse_ctrl(const u8 *id, struct nvme_ctrl_info *out)
{
	id_string(out->serial, id + 4, 20);
	id_string(out->model, id + 24, 40);
	out->mdts = id[77];
	out->nn = le32(id + 516);
	out->vwc = id[525] & 1;
	return out->nn ? 0 : -EINVAL;
}

int nvme_parse_ns(const u8 *id, struct nvme_ns_info *out)
{
	u8 fmt = id[26] & 0xf, nlbaf = id[25];
	const u8 *lbaf = id + 128 + 4 * fmt;
	u8 lbads = lbaf[2];

	out->nsze = (u64)le32(id) | (u64)le32(id + 4) << 32;
	out->lba_size = 0;
	/* Metadata interleaved with data (or beside it) is not something we use. */
	if (!out->nsze || fmt > nlbaf || (lbaf[0] | lbaf[1]) || lbads < 9 || lbads > 12)
		return -EINVAL;
	out->lba_size = 1u << lbads;
	return 0;
}
