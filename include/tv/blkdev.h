/* SPDX-License-Identifier: MIT */
/*
 * blkdev.h: a block device as the VMM's disk models (virtio-blk) see it,
 * whatever backs it: a read-only image from the stick under a RAM overlay,
 * or a disk on a datastore on a host NVMe namespace.
 *
 * Contract:
 *  - Sectors are 512 bytes; lba + count must lie within sectors (else -EINVAL).
 *  - Calls are synchronous and may poll hardware; the caller serializes
 *    calls on one blkdev (one VM's device lock), different blkdevs may be
 *    used concurrently from different CPUs.
 *  - buf is 4-byte aligned kernel memory in the direct map or the kernel
 *    image (a device may DMA to it; a guest's RAM chunk qualifies, so split
 *    requests at chunk boundaries); other buffers may get -EINVAL.
 *  - write with fua returns only once the data is on stable media; flush
 *    returns once every write completed before it is on stable media.
 *  - Errors are negative errno values (-EIO, -EINVAL, -EROFS, -ENOMEM);
 *    a device error never panics the host.
 */
#ifndef TV_BLKDEV_H
#define TV_BLKDEV_H

#include <tv/types.h>

#define BLKDEV_SECTOR 512u

struct blkdev;

struct blkdev_ops {
	int (*read)(struct blkdev *d, u64 lba, u32 count, void *buf);
	int (*write)(struct blkdev *d, u64 lba, u32 count, const void *buf, bool fua);
	int (*flush)(struct blkdev *d);
	/* Give back what the device holds (overlay pages, a datastore handle). May be NULL. */
	void (*close)(struct blkdev *d);
};

struct blkdev {
	const struct blkdev_ops *ops;
	u64 sectors;
	bool read_only;
	char name[48];          /* for logs: "[ds1] vm1/data" or "stick:rootfs.img" */
	void *priv;
};

#endif
