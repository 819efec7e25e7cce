// SPDX-License-Identifier: MIT
/*
 * bus.c: a VM's port-I/O and MMIO buses. Ranges are few and fixed after
 * creation, so a sorted list is enough. What no device claims behaves like
 * an empty PC bus: reads return all-ones, writes vanish.
 */
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/vmm.h>
#include "vmm_internal.h"

struct vm_bus_range {
	u64 base, size;
	const struct vio_ops *ops;
	void *dev;
	struct vm_bus_range *next;
};

int vm_bus_add(struct vm *vm, bool mmio, u64 base, u64 size, const struct vio_ops *ops,
	       void *dev)
{
	struct vm_bus_range **p = mmio ? &vm->mmio : &vm->pio, *prev = NULL, *r;

	if (!size || base + size < base)
		return -EINVAL;
	for (; *p && (*p)->base < base; p = &(*p)->next)
		prev = *p;
	if ((*p && (*p)->base < base + size) || (prev && prev->base + prev->size > base))
		return -EEXIST;
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->base = base;
	r->size = size;
	r->ops = ops;
	r->dev = dev;
	r->next = *p;
	*p = r;
	vm->overhead_bytes += sizeof(*r);
	return 0;
}

void vm_bus_free(struct vm *vm)
{
	for (int i = 0; i < 2; i++) {
		struct vm_bus_range *r = i ? vm->mmio : vm->pio;

		while (r) {
			struct vm_bus_range *n = r->next;

			kfree(r);
			r = n;
		}
	}
	vm->pio = vm->mmio = NULL;
}

int vm_bus_access(struct vm *vm, bool mmio, u64 addr, unsigned size, u64 *val, bool write)
{
	struct vm_bus_range *r;
	int rc = -ENODEV;

	for (r = mmio ? vm->mmio : vm->pio; r && r->base <= addr; r = r->next) {
		if (addr - r->base >= r->size)
			continue;
		if (addr - r->base + size > r->size)
			break; /* straddles the end of a device: treat as unclaimed */
		rc = write ? r->ops->write(r->dev, addr - r->base, size, *val)
			   : r->ops->read(r->dev, addr - r->base, size, val);
		break;
	}
	if (rc && !write)
		*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	return rc;
}
