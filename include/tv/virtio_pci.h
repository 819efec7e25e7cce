/* SPDX-License-Identifier: MIT */
/*
 * virtio_pci.h: the driver side of modern virtio-pci (virtio 1.x, section
 * 4.1) for host drivers such as drivers/virtio_net_pci.c: capability
 * parsing and split virtqueues as a driver fills them. Pure code in
 * drivers/virtio_pci.c, unit-tested on the host. (The device side that
 * guests see lives in vmm/ and shares nothing with this.)
 */
#ifndef TV_VIRTIO_PCI_H
#define TV_VIRTIO_PCI_H

#include <tv/types.h>

/* Vendor-specific PCI capability types */
#define VPCI_CAP_VENDOR 0x09
#define VPCI_CAP_COMMON 1
#define VPCI_CAP_NOTIFY 2
#define VPCI_CAP_ISR 3
#define VPCI_CAP_DEVICE 4

/* Common configuration structure (offsets) */
#define VPCI_DFSELECT 0x00
#define VPCI_DF 0x04
#define VPCI_GFSELECT 0x08
#define VPCI_GF 0x0c
#define VPCI_NUM_QUEUES 0x12
#define VPCI_STATUS 0x14
#define VPCI_CFG_GEN 0x15
#define VPCI_Q_SELECT 0x16
#define VPCI_Q_SIZE 0x18
#define VPCI_Q_MSIX 0x1a
#define VPCI_Q_ENABLE 0x1c
#define VPCI_Q_NOFF 0x1e
#define VPCI_Q_DESC 0x20
#define VPCI_Q_AVAIL 0x28
#define VPCI_Q_USED 0x30
#define VPCI_COMMON_LEN 0x38

#define VPCI_S_ACK 1u
#define VPCI_S_DRIVER 2u
#define VPCI_S_DRIVER_OK 4u
#define VPCI_S_FEATURES_OK 8u
#define VPCI_S_NEEDS_RESET 64u
#define VPCI_S_FAILED 128u

#define VPCI_F_VERSION_1 (1ull << 32)
#define VPCI_NO_VECTOR 0xffff

/* Where one configuration structure lives. */
struct vpci_region {
	u8 bar;
	u32 off, len;
};

struct vpci_caps {
	struct vpci_region common, notify, isr, device;
	u32 notify_mult;            /* notify_off_multiplier */
	u8 found;                   /* bit (1 << type) for each type seen */
};

/*
 * Find the common, notify, ISR and device capabilities in a copy of the
 * first 256 bytes of config space (the first usable one of each type, as
 * the spec asks). Returns 0, or -ENODEV when common, notify or device
 * configuration is missing or malformed (a legacy-only device).
 */
int vpci_caps_parse(const u8 cfg[256], struct vpci_caps *out);
/* True if the region fits a BAR of bar_size bytes and is at least min bytes long. */
bool vpci_region_ok(const struct vpci_region *r, u64 bar_size, u32 min);

/* ---- split virtqueues, driver role ---- */

#define VPCI_D_NEXT 1u
#define VPCI_D_WRITE 2u              /* the device writes this buffer */
#define VPCI_USED_NO_NOTIFY 1u
#define VPCI_VQ_MAX 256

struct vpci_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct vpci_used_elem {
	u32 id;
	u32 len;
};

_Static_assert(sizeof(struct vpci_desc) == 16, "virtq descriptor is 16 bytes");
_Static_assert(sizeof(struct vpci_used_elem) == 8, "used element is 8 bytes");

/*
 * One queue, one descriptor per buffer: descriptor i always describes
 * buffer i, so a used id names the buffer. Free ids wait on a stack.
 */
struct vpci_vq {
	u16 size;                    /* power of two, <= VPCI_VQ_MAX */
	volatile struct vpci_desc *desc;
	volatile u16 *avail;         /* flags, idx, ring[size], used_event */
	volatile u16 *used;          /* flags, idx, then used elements */
	u16 avail_idx, last_used;
	u16 nfree;
	u16 free[VPCI_VQ_MAX];
	u64 busy[VPCI_VQ_MAX / 64];  /* ids the device holds: each is returned once */
};

/* Byte offsets of the avail and used rings in one block of memory, and its size. */
void vpci_vq_layout(u16 size, u32 *avail_off, u32 *used_off, u32 *total);
/* Set up q over zeroed memory laid out by vpci_vq_layout; all ids free. */
void vpci_vq_init(struct vpci_vq *q, u16 size, void *mem);
/* A free descriptor id, or -EAGAIN. */
int vpci_vq_get(struct vpci_vq *q);
void vpci_vq_put(struct vpci_vq *q, u16 id);
/* Make descriptor id (buffer pa, len bytes) available to the device. */
void vpci_vq_push(struct vpci_vq *q, u16 id, u64 pa, u32 len, bool device_writes);
/*
 * Take the next used buffer: its id, with *len what the device wrote;
 * -1 if none; -EIO for an id the device does not hold (out of range, never
 * made available, or returned twice).
 */
int vpci_vq_pop(struct vpci_vq *q, u32 *len);
/* False while the device asks not to be notified (VIRTQ_USED_F_NO_NOTIFY). */
bool vpci_vq_notify_wanted(const struct vpci_vq *q);

/* ---- virtio-net ---- */

#define VNET_F_MAC (1ull << 5)
#define VNET_F_STATUS (1ull << 16)
#define VNET_S_LINK_UP 1u
#define VNET_CFG_MAC 0
#define VNET_CFG_STATUS 6
#define VNET_HDR_LEN 12              /* struct virtio_net_hdr with num_buffers (VERSION_1) */

/*
 * Features to accept from what the device offers: VERSION_1, MAC and
 * STATUS, no offloads (the switch forwards plain frames). 0 if the device
 * is not a modern one (no VERSION_1).
 */
u64 vnet_features(u64 offered);

/* Claim every virtio-net PCI function; each becomes a struct netdev. Returns the count. */
unsigned virtio_net_pci_init(void);

#endif
