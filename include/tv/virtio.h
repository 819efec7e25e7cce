/* SPDX-License-Identifier: MIT */
/*
 * virtio.h: virtio 1.x devices over the virtio-mmio transport (version 2
 * register layout only) with split virtqueues (docs/vmm.md, "virtio").
 *
 * Pure code (vmm/virtio/): it reaches guest RAM only through struct vq_mem,
 * whose read/write refuse anything outside the VM's RAM, and every
 * descriptor chain is validated before a device sees it. A guest that
 * breaks the rules gets DEVICE_NEEDS_RESET and the device stops until the
 * driver resets it; nothing a guest writes can make the host touch memory
 * outside that VM.
 */
#ifndef TV_VIRTIO_H
#define TV_VIRTIO_H

#include <tv/types.h>
#include <tv/vdev.h>

/* ---- virtio-mmio registers (virtio 1.2, 4.2.2) ---- */
#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_MAGIC 0x74726976u   /* "virt" */
#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEV_FEATURES 0x010
#define VMMIO_DEV_FEATURES_SEL 0x014
#define VMMIO_DRV_FEATURES 0x020
#define VMMIO_DRV_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INT_STATUS 0x060
#define VMMIO_INT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LO 0x080
#define VMMIO_QUEUE_DESC_HI 0x084
#define VMMIO_QUEUE_AVAIL_LO 0x090
#define VMMIO_QUEUE_AVAIL_HI 0x094
#define VMMIO_QUEUE_USED_LO 0x0a0
#define VMMIO_QUEUE_USED_HI 0x0a4
#define VMMIO_CONFIG_GEN 0x0fc
#define VMMIO_CONFIG 0x100

#define VIRTIO_VENDOR_ID 0x56544856u    /* "VHTV" */

/* Device status bits */
#define VIRTIO_S_ACKNOWLEDGE 1u
#define VIRTIO_S_DRIVER 2u
#define VIRTIO_S_DRIVER_OK 4u
#define VIRTIO_S_FEATURES_OK 8u
#define VIRTIO_S_NEEDS_RESET 64u
#define VIRTIO_S_FAILED 128u

#define VIRTIO_INT_USED 1u
#define VIRTIO_INT_CONFIG 2u

/* Transport feature bits */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* Device IDs */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_BALLOON 5

/* Descriptor flags */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

#define VIRTQ_MAX_SIZE 256              /* QueueNumMax of every queue */
#define VIRTQ_MAX_SEGS 130              /* buffers in one chain (blk: 128 data + 2) */
#define VIRTQ_MAX_QUEUES 2

/*
 * ---- guest RAM: the one bounded accessor ----
 * In the kernel these are vm_read, vm_write and vm_ram_contains of the VM
 * (tv/vmm.h); pure code only hands the struct vm back.
 */
struct vm;
struct vq_mem {
	struct vm *vm;
	/* Copy [gpa, gpa+len): 0, or -EFAULT if any byte is not RAM. */
	int (*read)(struct vm *vm, u64 gpa, void *dst, u64 len);
	int (*write)(struct vm *vm, u64 gpa, const void *src, u64 len);
	/* Whether all of [gpa, gpa+len) is RAM; len 0 is false; no wrap-around. */
	bool (*contains)(struct vm *vm, u64 gpa, u64 len);
};

/* One buffer of a chain, already checked to lie in RAM. */
struct vq_seg {
	u64 gpa;
	u32 len;
	bool write;                     /* device-writable */
};

struct vq_chain {
	u16 head;                       /* what goes back in the used ring */
	unsigned nseg;
	u64 out_len, in_len;            /* device-readable, device-writable bytes */
	struct vq_seg seg[VIRTQ_MAX_SEGS];
};

/* A split virtqueue as the driver configured it, plus the device's progress. */
struct virtq {
	u16 size;                       /* QueueNum */
	bool ready;
	u64 desc, avail, used;          /* guest-physical ring addresses */
	u16 last_avail;                 /* next avail ring slot the device takes */
	u16 used_idx;                   /* the device's copy of used->idx */
	u16 signalled;                  /* used_idx at the last interrupt (EVENT_IDX) */
};

/* Why a queue or chain was refused: a fixed string, for the log. */
typedef const char *vq_err;

/* Check a queue the driver marks ready: size a power of two <= max, rings aligned and in RAM. */
vq_err virtq_check(const struct virtq *q, const struct vq_mem *m, unsigned max);

/*
 * Take the next available chain into *c, validated: every buffer inside RAM
 * (overflow-safe), at most the queue size (or the indirect table's count) of
 * descriptors, no loops, indirect tables only with `indirect` negotiated,
 * sized a multiple of 16, in RAM, not nested, and device-writable buffers
 * only after the readable ones. Returns 1 with a chain, 0 if none is
 * available, -1 with *err set on a violation.
 */
int virtq_pop(struct virtq *q, const struct vq_mem *m, bool indirect, struct vq_chain *c,
	      vq_err *err);

/* Has the driver made buffers available that the device has not taken? */
bool virtq_pending(const struct virtq *q, const struct vq_mem *m);

/*
 * Put a finished chain (len bytes written into it) in the used ring.
 * Returns 0, or -1 if the rings became unwritable.
 */
int virtq_push(struct virtq *q, const struct vq_mem *m, u16 head, u32 len);

/*
 * After a batch of pushes: does the driver want an interrupt? With
 * EVENT_IDX, only if used_event lies in the entries added since the last
 * one; without, unless VIRTQ_AVAIL_F_NO_INTERRUPT. Also publishes
 * avail_event (EVENT_IDX) so the driver notifies again only for new work.
 */
bool virtq_should_notify(struct virtq *q, const struct vq_mem *m, bool event_idx);

/*
 * Copy len bytes between buf and the chain's device-writable (write) or
 * device-readable part, from byte off of that part: 0, -EINVAL if the part
 * is shorter, -EFAULT if guest RAM refused.
 */
int vq_chain_copy(const struct vq_chain *c, const struct vq_mem *m, bool write, u64 off, void *buf,
		  u64 len);

static inline int vq_chain_read(const struct vq_chain *c, const struct vq_mem *m, u64 off,
				void *dst, u64 len)
{
	return vq_chain_copy(c, m, false, off, dst, len);
}

static inline int vq_chain_write(const struct vq_chain *c, const struct vq_mem *m, u64 off,
				 const void *src, u64 len)
{
	return vq_chain_copy(c, m, true, off, (void *)src, len);
}

/* ---- the transport ---- */
struct virtio_mmio;

struct virtio_dev_ops {
	u32 device_id;
	u64 features;                   /* device-specific bits; VERSION_1, EVENT_IDX, INDIRECT added */
	unsigned nqueues;
	u32 config_len;
	/* Read from the device config space: off + size <= config_len. */
	u32 (*config_read)(struct virtio_mmio *d, u32 off, unsigned size);
	/* A driver write to the config space (same bounds); NULL: the config is read-only. */
	void (*config_write)(struct virtio_mmio *d, u32 off, unsigned size, u32 val);
	/*
	 * A chain the driver made available on a queue in `served` (DRIVER_OK,
	 * queue ready): do it and return the bytes written into it, or set *err
	 * to why the queue is broken (the transport then sets NEEDS_RESET and
	 * stops). Queues not in `served` keep their buffers.
	 */
	u32 (*request)(struct virtio_mmio *d, struct vq_chain *c, vq_err *err);
	u8 served;                      /* bit q: queue q is drained on notify */
	/* A notify on a queue not in `served` (new buffers to fill later); may be NULL. */
	void (*kick)(struct virtio_mmio *d, unsigned q);
	void (*reset)(struct virtio_mmio *d);   /* the driver wrote status 0; may be NULL */
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	void *dev;                      /* the device model's state */
	struct vdev_host host;
	struct vq_mem mem;
	unsigned gsi;
	/* Called once per breakage with the reason (the VMM logs it with the VM's name). */
	void (*broken)(struct virtio_mmio *d, const char *why);
	const char *name;               /* "virtio-blk0": for that log */

	u32 status;
	u32 isr;
	u64 drv_features;
	u32 dev_features_sel, drv_features_sel, queue_sel;
	struct virtq q[VIRTQ_MAX_QUEUES];
	u64 notifies, irqs;             /* counters for the exit figures */
	struct vq_chain chain;          /* the chain being served */
	unsigned chain_q;               /* and its queue */
};

void virtio_mmio_init(struct virtio_mmio *d, const struct virtio_dev_ops *ops, void *dev,
		      const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi);
void virtio_mmio_reset(struct virtio_mmio *d);
/* Register access, offsets from the device's base; dev is a struct virtio_mmio (bus-ready). */
int virtio_mmio_read(void *dev, u64 off, unsigned size, u64 *val);
int virtio_mmio_write(void *dev, u64 off, unsigned size, u64 val);
/* DRIVER_OK, and neither NEEDS_RESET nor FAILED: the device may use its queues. */
bool virtio_mmio_live(const struct virtio_mmio *d);
/* Was feature bit f negotiated? */
static inline bool virtio_has(const struct virtio_mmio *d, unsigned f)
{
	return (d->drv_features >> f) & 1;
}
/* The device used buffers of queue q: interrupt the driver if it wants one. */
void virtio_mmio_used(struct virtio_mmio *d, unsigned q);
/* Device-side breakage outside a notify (e.g. an unwritable used ring). */
void virtio_mmio_fail(struct virtio_mmio *d, const char *why);
/* The device changed its config space: a configuration-change interrupt once the driver is up. */
void virtio_mmio_config_changed(struct virtio_mmio *d);

/* ---- the devices (vmm/virtio/{blk,rng,console,balloon}.c) ---- */
struct blkdev;

struct virtio_blk {
	struct virtio_mmio t;            /* first: the transport's callbacks find the device */
	struct blkdev *disk;
	u8 *bounce;                      /* VIRTIO_BLK_BOUNCE bytes, the caller's */
	u64 sectors_read, sectors_written;
};
#define VIRTIO_BLK_BOUNCE (64u << 10)
#define VIRTIO_BLK_SEG_MAX (VIRTQ_MAX_SEGS - 2)
#define VIRTIO_BLK_SIZE_MAX (1u << 20)
/* Data in one request, at most: bounds the time one request holds vm->lock. */
#define VIRTIO_BLK_REQ_MAX (4u << 20)
void virtio_blk_init(struct virtio_blk *b, struct blkdev *disk, u8 *bounce,
		     const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi);

/* Entropy for virtio-rng: fill buf with n random bytes. */
typedef void (*virtio_rng_fill_fn)(void *ctx, void *buf, u64 n);
struct virtio_rng {
	struct virtio_mmio t;
	virtio_rng_fill_fn fill;
	void *fill_ctx;
	u64 bytes;
};
void virtio_rng_init(struct virtio_rng *r, virtio_rng_fill_fn fill, void *fill_ctx,
		     const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi);

/* virtio-console: port 0 only; output goes to out() byte by byte. */
struct virtio_con {
	struct virtio_mmio t;
	void (*out)(void *ctx, const u8 *buf, u64 n);
	void *out_ctx;
};
void virtio_con_init(struct virtio_con *c, void (*out)(void *ctx, const u8 *buf, u64 n),
		     void *out_ctx, const struct vdev_host *host, const struct vq_mem *mem,
		     unsigned gsi);

/*
 * virtio-balloon (vmm/virtio/balloon.c): the host sets a target (num_pages)
 * and the driver hands over pages on inflateq (0) and takes them back on
 * deflateq (1) as arrays of le32 4 KiB page numbers. Each page accepted
 * goes to inflate() once (0: taken; anything else: refused, not counted)
 * and back through deflate() once; the device keeps one bit per page below
 * `top` so that a page given twice, or taken back without being given,
 * changes nothing. A driver reset, or a guest reset, gives every page back.
 * Offers MUST_TELL_HOST only: no stats queue, no free page hinting.
 */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_PFN_SHIFT 12
/* Bytes of one inflate/deflate buffer, at most (Linux sends 256 page numbers); longer: ignored. */
#define VIRTIO_BALLOON_BUF_MAX 4096u
/* Bytes of bitmap the caller gives for guest-physical addresses below top. */
#define VIRTIO_BALLOON_MAP_BYTES(top) ((((top) >> VIRTIO_BALLOON_PFN_SHIFT) + 63) / 64 * 8)
struct virtio_balloon {
	struct virtio_mmio t;
	int (*inflate)(struct vm *vm, u64 gpa);
	void (*deflate)(struct vm *vm, u64 gpa);
	/* actual changed (the driver wrote it); may be NULL. */
	void (*changed)(void *ctx, u32 actual, u64 held);
	void *changed_ctx;
	u64 *map;                        /* bit n: page n (gpa n << 12) is in the balloon */
	u64 npages;                      /* pages the map covers */
	u32 num_pages;                   /* the host's target */
	u32 actual;                      /* what the driver says it holds */
	u64 held;                        /* pages accepted, net: inflated minus deflated */
	u64 inflated, deflated, ignored; /* page numbers seen, for the log */
};
/* map: VIRTIO_BALLOON_MAP_BYTES(top) zeroed bytes, top the end of the VM's highest RAM. */
void virtio_balloon_init(struct virtio_balloon *b, int (*inflate)(struct vm *vm, u64 gpa),
			 void (*deflate)(struct vm *vm, u64 gpa), u64 *map, u64 top,
			 const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi);
/* A new target in pages: a config-change interrupt if it differs. The caller holds its lock. */
void virtio_balloon_set_target(struct virtio_balloon *b, u32 pages);

/*
 * virtio-net (vmm/virtio/net.c): one receive and one transmit queue, no
 * offloads, so frames are plain Ethernet frames as the vSwitch forwards
 * them. What the guest sends goes to tx(); frames for the guest wait in
 * rxq (filled by the vSwitch) until virtio_net_rx moves them into the
 * guest's receive buffers.
 */
struct frameq;
struct virtio_net {
	struct virtio_mmio t;
	u8 mac[6];
	void (*tx)(void *ctx, const u8 *frame, size_t len);
	void *tx_ctx;
	struct frameq *rxq;
	u8 buf[1518];                    /* one frame the guest sent, checked before tx() */
	u64 rx_frames, tx_frames, rx_short, tx_bad;
};
void virtio_net_init(struct virtio_net *n, const u8 mac[6],
		     void (*tx)(void *ctx, const u8 *frame, size_t len), void *tx_ctx,
		     struct frameq *rxq, const struct vdev_host *host, const struct vq_mem *mem,
		     unsigned gsi);
/* Move the frames waiting in rxq into the guest's receive buffers, as far as it has posted some. */
void virtio_net_rx(struct virtio_net *n);

#endif
