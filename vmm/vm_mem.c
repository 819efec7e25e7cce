// SPDX-License-Identifier: MIT
/*
 * vm_mem.c: guest RAM. It is backed in 2 MiB chunks (large nested pages)
 * on first touch: a nested page fault by the guest, or an access by the
 * host (loading, device models). A reservation (sched.mem.min) is set
 * aside when the VM starts, as whole frames, so that its first chunks can
 * never fail; the rest comes from what is free. A chunk the host cannot
 * back stops that VM, never the host.
 */
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vmm_layout.h>
#include "vmm_internal.h"

#define HOST_RESERVE (16ull << 20)   /* never give the host's last 16 MiB to guests */

static u64 low_end(const struct vm *vm)
{
	return vm->ram_size < GUEST_LOW_RAM_END ? vm->ram_size : GUEST_LOW_RAM_END;
}

/* Index of the 2 MiB chunk holding gpa, or -1 if gpa is not RAM. */
static s64 chunk_of(const struct vm *vm, u64 gpa)
{
	u64 le = low_end(vm);

	if (gpa < le)
		return (s64)(gpa >> VM_CHUNK_SHIFT);
	if (gpa >= GUEST_HIGH_RAM_BASE && gpa - GUEST_HIGH_RAM_BASE < vm->ram_size - le)
		return (s64)((le + gpa - GUEST_HIGH_RAM_BASE) >> VM_CHUNK_SHIFT);
	return -1;
}

static u64 chunk_gpa(const struct vm *vm, u64 c)
{
	u64 le = low_end(vm), off = c << VM_CHUNK_SHIFT;

	return off < le ? off : GUEST_HIGH_RAM_BASE + off - le;
}

bool vm_gpa_is_ram(struct vm *vm, u64 gpa)
{
	return chunk_of(vm, gpa) >= 0;
}

bool vm_ram_contains(struct vm *vm, u64 gpa, u64 len)
{
	u64 le = low_end(vm);

	if (len == 0 || gpa + len < gpa)
		return false;
	/* RAM is two runs, [0, le) and [4 GiB, ...): the range must lie in one. */
	if (gpa < le)
		return len <= le - gpa;
	return gpa >= GUEST_HIGH_RAM_BASE && gpa - GUEST_HIGH_RAM_BASE < vm->ram_size - le &&
	       len <= vm->ram_size - le - (gpa - GUEST_HIGH_RAM_BASE);
}

u64 vm_ram_host_max(void)
{
	u64 all = pmm_usable_bytes();

	return all > HOST_RESERVE ? all - HOST_RESERVE : 0;
}

u64 vm_ram_free_for_guests(void)
{
	u64 free = pmm_free_bytes();

	return free > HOST_RESERVE ? free - HOST_RESERVE : 0;
}

/*
 * A frame for one chunk: from the VM's reservation while it lasts, else
 * from the allocator as long as the host keeps its own reserve.
 */
static paddr_t take_frame(struct vm *vm, bool *from_pool)
{
	irqflags_t f = spin_lock_irqsave(&vm->mem_lock);
	paddr_t hpa = vm->pool_n ? vm->pool[--vm->pool_n] : 0;

	spin_unlock_irqrestore(&vm->mem_lock, f);
	*from_pool = hpa != 0;
	if (hpa || vm_ram_free_for_guests() < VM_CHUNK_SIZE)
		return hpa;
	/* 2 MiB-aligned so that nested paging maps it with one large page. */
	return pmm_alloc(VM_CHUNK_SIZE / PAGE_SIZE, VM_CHUNK_SIZE / PAGE_SIZE);
}

/* Back chunk c: 1 if done now, 0 if it already was, -ENOMEM. Any context but NMI. */
static int populate(struct vm *vm, s64 c)
{
	bool from_pool;
	paddr_t hpa;
	irqflags_t f;
	int r;

	if (__atomic_load_n(&vm->chunks[c], __ATOMIC_ACQUIRE))
		return 0;
	hpa = take_frame(vm, &from_pool);
	if (!hpa)
		return -ENOMEM;
	/* Zeroed outside the lock: 2 MiB takes a while under emulation. */
	memset(phys_to_virt(hpa), 0, VM_CHUNK_SIZE);
	f = spin_lock_irqsave(&vm->mem_lock);
	if (vm->chunks[c]) {
		r = 0;          /* another vCPU or a device got there first */
	} else {
		r = arch_vm_map_ram(vm, chunk_gpa(vm, (u64)c), hpa, VM_CHUNK_SIZE);
		if (!r) {
			__atomic_store_n(&vm->chunks[c], hpa, __ATOMIC_RELEASE);
			vm->granted_chunks++;
			r = 1;
		}
	}
	if (r <= 0 && from_pool) {
		vm->pool[vm->pool_n++] = hpa;   /* back where it came from */
		from_pool = false;
		hpa = 0;
	}
	spin_unlock_irqrestore(&vm->mem_lock, f);
	if (r <= 0 && hpa)
		pmm_free(hpa, VM_CHUNK_SIZE / PAGE_SIZE);
	return r < 0 ? -ENOMEM : r;
}

int vm_ram_populate(struct vm *vm, u64 gpa)
{
	s64 c = chunk_of(vm, gpa);

	return c < 0 ? -EFAULT : populate(vm, c);
}

void *vm_gpa_ptr(struct vm *vm, u64 gpa, u64 len)
{
	s64 c = chunk_of(vm, gpa);
	u64 off = gpa & (VM_CHUNK_SIZE - 1);

	if (c < 0 || len > VM_CHUNK_SIZE - off || len == 0)
		return NULL;
	if (populate(vm, c) < 0) {
		/* While loading, the caller refuses the VM; once it runs, it stops. */
		if (READ_ONCE(vm->state) == VM_STATE_RUNNING)
			vm_stop(vm, VM_STATE_CRASHED,
				"out of host memory: guest RAM at %#llx cannot be backed",
				(unsigned long long)gpa);
		return NULL;
	}
	return (u8 *)phys_to_virt(vm->chunks[c]) + off;
}

static int vm_copy(struct vm *vm, u64 gpa, void *buf, u64 len, int dir)
{
	/* dir: 0 read into buf, 1 write from buf, 2 zero */
	while (len) {
		u64 off = gpa & (VM_CHUNK_SIZE - 1), n = MIN(len, VM_CHUNK_SIZE - off);
		u8 *p = vm_gpa_ptr(vm, gpa, n);

		if (!p)
			return -EFAULT;
		if (dir == 0)
			memcpy(buf, p, n);
		else if (dir == 1)
			memcpy(p, buf, n);
		else
			memset(p, 0, n);
		gpa += n;
		len -= n;
		if (dir != 2)
			buf = (u8 *)buf + n;
	}
	return 0;
}

int vm_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	return vm_copy(vm, gpa, dst, len, 0);
}

int vm_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	return vm_copy(vm, gpa, (void *)src, len, 1);
}

int vm_zero(struct vm *vm, u64 gpa, u64 len)
{
	return vm_copy(vm, gpa, NULL, len, 2);
}

/* A reset: what the guest wrote is gone; backed chunks stay backed. */
void vm_ram_zero(struct vm *vm)
{
	for (u64 i = 0; i < vm->nchunks; i++)
		if (vm->chunks[i])
			memset(phys_to_virt(vm->chunks[i]), 0, VM_CHUNK_SIZE);
}

int vm_ram_init(struct vm *vm, char *why, size_t whylen, unsigned *why_line)
{
	/* An odd MB still needs its whole chunk. */
	u64 want = ((vm->cfg.mem_min_mib << 20) + VM_CHUNK_SIZE - 1) >> VM_CHUNK_SHIFT;

	vm->nchunks = vm->ram_size >> VM_CHUNK_SHIFT;
	vm->chunks = kzalloc(vm->nchunks * sizeof(paddr_t));
	vm->pool = want ? kzalloc(want * sizeof(paddr_t)) : NULL;
	if (!vm->chunks || (want && !vm->pool)) {
		snprintf(why, whylen, "out of host memory");
		return -ENOMEM;
	}
	vm->overhead_bytes += (vm->nchunks + want) * sizeof(paddr_t);
	/*
	 * Admission: the reservation is taken now, as whole frames, so that
	 * nothing another VM does later can keep this one from its chunks.
	 */
	while (vm->pool_n < want) {
		paddr_t hpa = vm_ram_free_for_guests() >= VM_CHUNK_SIZE
				      ? pmm_alloc(VM_CHUNK_SIZE / PAGE_SIZE, VM_CHUNK_SIZE / PAGE_SIZE)
				      : 0;

		if (!hpa) {
			*why_line = vm->cfg.mem_min_line;
			snprintf(why, whylen, "sched.mem.min %llu MB cannot be reserved: the host has "
				 "%llu MiB free for VMs", (unsigned long long)vm->cfg.mem_min_mib,
				 (unsigned long long)((vm_ram_free_for_guests() +
						       (vm->pool_n << VM_CHUNK_SHIFT)) >> 20));
			return -ENOMEM;
		}
		vm->pool[vm->pool_n++] = hpa;
	}
	vm->reserved_chunks = want;
	return 0;
}

void vm_log_memory(struct vm *vm)
{
	pr_info("vm %s: memory: %llu of %llu MiB backed, %llu MB reserved (%llu MiB of it not "
		"used yet), overhead %llu KiB\n", vm->name,
		(unsigned long long)(READ_ONCE(vm->granted_chunks) << VM_CHUNK_SHIFT >> 20),
		(unsigned long long)(vm->ram_size >> 20), (unsigned long long)vm->cfg.mem_min_mib,
		(unsigned long long)(READ_ONCE(vm->pool_n) << VM_CHUNK_SHIFT >> 20),
		(unsigned long long)(vm_overhead(vm) >> 10));
}

void vm_ram_free(struct vm *vm)
{
	if (vm->chunks)
		for (u64 i = 0; i < vm->nchunks; i++)
			if (vm->chunks[i])
				pmm_free(vm->chunks[i], VM_CHUNK_SIZE / PAGE_SIZE);
	while (vm->pool && vm->pool_n)
		pmm_free(vm->pool[--vm->pool_n], VM_CHUNK_SIZE / PAGE_SIZE);
	kfree(vm->chunks);
	kfree(vm->pool);
	vm->chunks = NULL;
	vm->pool = NULL;
	vm->granted_chunks = vm->reserved_chunks = 0;
}

/* Placeholders until guest RAM is tracked per 4 KiB page (issue 8, in progress). */
int vm_ram_balloon_inflate(struct vm *vm, u64 gpa)
{
	return vm_gpa_is_ram(vm, gpa) ? 0 : -EFAULT;
}

void vm_ram_balloon_deflate(struct vm *vm, u64 gpa)
{
	(void)vm;
	(void)gpa;
}
