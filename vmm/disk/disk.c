// SPDX-License-Identifier: MIT
/*
 * disk.c: a VM's disks from its config: the one place where a disk backend
 * is chosen (docs/vmm.md, "Disks"). A stick image gets a per-VM RAM overlay;
 * "[datastore] path" disks are opened on a datastore on host NVMe
 * (kernel/datastore.c), created with diskN.sizeMB if they do not exist.
 */
#include <tv/arch.h>
#include <tv/blkdev.h>
#include <tv/bootinfo.h>
#include <tv/datastore.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/overlay.h>
#include <tv/printf.h>
#include <tv/vmm.h>
#include "../vmm_internal.h"

extern struct bootinfo boot_info;

int disk_open(const struct vmcfg_disk *c, unsigned n, struct blkdev **out, char *why,
	      size_t whylen)
{
	const struct bi_module *m = bootinfo_module(&boot_info, c->file);
	struct overlay *o = NULL;
	char name[48];
	int r = -ENOENT;

	if (c->datastore[0]) {
		char spec[VMCFG_DATASTORE_MAX + CFG_MAX_PATH + 16], reason[96];
		struct blkdev *d;

		snprintf(spec, sizeof(spec), "[%s] %s", c->datastore, c->file);
		d = datastore_open_disk(spec, c->size_mib * 2048, reason, sizeof(reason));
		if (!d) {
			snprintf(why, whylen, "disk%u \"%s\": %s", n, spec, reason);
			return -ENOENT;
		}
		d->read_only = c->read_only;
		*out = d;
		return 0;
	}
	/* For logs; its first 20 bytes are the serial the guest reads (GET_ID). */
	snprintf(name, sizeof(name), "stick:%s", c->file + 4);   /* without "vms/" */
	if (m && (o = kzalloc(sizeof(*o))))
		r = overlay_init(o, phys_to_virt(m->base), m->size, 0, c->read_only, name, kzalloc,
				 kfree, 0);
	else if (m)
		r = -ENOMEM;
	if (r) {
		kfree(o);
		/* -ENOENT: not among the boot modules; -ENOMEM; -EINVAL: an empty image */
		snprintf(why, whylen, "disk%u: %s: cannot open it (%d)", n, c->file, r);
		return r;
	}
	*out = &o->dev;
	return 0;
}

void disk_close(struct blkdev *d, const struct vmcfg_disk *c)
{
	if (!d)
		return;
	if (d->ops->close)
		d->ops->close(d);
	/* A datastore disk is freed by its close; an overlay's struct is ours. */
	if (!c->datastore[0])
		kfree(d);
}
