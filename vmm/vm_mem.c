// SPDX-License-Identifier: MIT
/*
 * vm_mem.c: guest RAM in the kernel. The page logic is vmm/gmem.c (pure);
 * this file gives it frames, nested mappings, locks and shootdowns.
 *
 * RAM is backed on first touch, a 2 MiB chunk at a time while the host
 * has whole 2 MiB frames, else a 4 KiB page at a time. A reservation
 * (sched.mem.min) is set aside when the VM starts, so its pages can never
 * fail; the rest comes from what is free. A page the host cannot back
 * stops that VM, never the host. The scanner's turns and the balloon
 * policy run from the boot CPU's housekeeping (vmm/vm_reclaim.c).
 *
 * Locks: the sharing lock (the pshare table, any change to a shared page)
 * nests outside each VM's mem_lock; neither is held across a guest entry
 * or a shootdown's wait.
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
#define CHUNK_PAGES GMEM_CHUNK_PAGES

static spinlock_t share_lock = SPINLOCK_INIT;
static struct pshare share;
static paddr_t zero_frame;

static u64 low_end(const struct vm *vm)
{
	return vm->ram_size < GUEST_LOW_RAM_END ? vm->ram_size : GUEST_LOW_RAM_END;
}

/* Index of the 4 KiB page of RAM holding gpa, or -1 if gpa is not RAM. */
static s64 page_of(const struct vm *vm, u64 gpa)
{
	u64 le = low_end(vm);

	if (gpa < le)
		return (s64)(gpa >> PAGE_SHIFT);
	if (gpa >= GUEST_HIGH_RAM_BASE && gpa - GUEST_HIGH_RAM_BASE < vm->ram_size - le)
		return (s64)((le + gpa - GUEST_HIGH_RAM_BASE) >> PAGE_SHIFT);
	return -1;
}

static u64 page_gpa(const struct vm *vm, u64 page)
{
	u64 le = low_end(vm), off = page << PAGE_SHIFT;

	return off < le ? off : GUEST_HIGH_RAM_BASE + off - le;
}

bool vm_gpa_is_ram(struct vm *vm, u64 gpa)
{
	return page_of(vm, gpa) >= 0;
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

/* ---- nested TLB shootdown ---- */

void vm_tlb_shootdown(struct vm *vm)
{
	u32 gen = __atomic_add_fetch(&vm->tlb_gen, 1, __ATOMIC_SEQ_CST);

	/*
	 * A vCPU in the guest with an older generation holds translations from
	 * before: it is kicked out (and flushes at its next entry). One that
	 * read the new generation on its way in flushes before it runs.
	 */
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!v || !__atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST) ||
		    (s32)(__atomic_load_n(&v->tlb_seen, __ATOMIC_SEQ_CST) - gen) >= 0)
			continue;
		vcpu_kick(v);
		while (__atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST) &&
		       (s32)(__atomic_load_n(&v->tlb_seen, __ATOMIC_SEQ_CST) - gen) < 0)
			arch_pause();
	}
}

/* ---- frames ---- */

static struct vm *vm_of(struct gmem *g)
{
	return g->ctx;
}

/* Frames the VM holds beyond the pages in use: kept for its reservation. */
static u64 held_pages(struct vm *vm)
{
	return vm->mem.own + vm->spare_n + vm->pool_n * CHUNK_PAGES;
}

static paddr_t alloc_page(struct gmem *g)
{
	struct vm *vm = vm_of(g);
	paddr_t pa;

	/* mem_lock is held: the spare list and the pool are ours. */
	if (vm->spare_n) {
		pa = vm->spare;
		vm->spare = *(paddr_t *)phys_to_virt(pa);
		vm->spare_n--;
		return pa;
	}
	if (vm->pool_n) {
		/* Break a reserved 2 MiB frame: one page now, the rest spare. */
		pa = vm->pool[--vm->pool_n];
		for (u64 i = 1; i < CHUNK_PAGES; i++) {
			*(paddr_t *)phys_to_virt(pa + i * PAGE_SIZE) = vm->spare;
			vm->spare = pa + i * PAGE_SIZE;
		}
		vm->spare_n += CHUNK_PAGES - 1;
		return pa;
	}
	return vm_ram_free_for_guests() >= PAGE_SIZE ? pmm_alloc(1, 1) : 0;
}

/* A frame leaves the VM (mem_lock held, or the VM is gone). */
static void free_page(struct gmem *g, paddr_t pa)
{
	struct vm *vm = vm_of(g);

	/* Below its reservation the VM keeps the frame: no other VM can take what it was promised. */
	if (vm->state == VM_STATE_RUNNING && held_pages(vm) < vm->reserved_pages) {
		*(paddr_t *)phys_to_virt(pa) = vm->spare;
		vm->spare = pa;
		vm->spare_n++;
		return;
	}
	pmm_free(pa, 1);
}

static void free_chunk(struct gmem *g, paddr_t pa)
{
	(void)g;
	pmm_free(pa, CHUNK_PAGES);
}

static void *p2v(paddr_t pa)
{
	return phys_to_virt(pa);
}

static int map(struct gmem *g, u64 page, paddr_t hpa, enum vm_prot prot)
{
	return arch_vm_map_page(vm_of(g), page_gpa(vm_of(g), page), hpa, prot);
}

static void *zalloc(u64 size)
{
	return kzalloc(size);
}

static const struct gmem_hostops ops = {
	.alloc_page = alloc_page,
	.free_page = free_page,
	.free_chunk = free_chunk,
	.p2v = p2v,
	.map = map,
	.zalloc = zalloc,
	.kfree = kfree,
};

/* After the locks: the shootdown, then the frames. */
static void settle(struct vm *vm, struct gmem_batch *b)
{
	irqflags_t f;

	if (b->flush)
		vm_tlb_shootdown(vm);
	if (b->n) {
		f = spin_lock_irqsave(&vm->mem_lock);
		for (unsigned i = 0; i < b->n; i++)
			free_page(&vm->mem, b->frames[i]);
		spin_unlock_irqrestore(&vm->mem_lock, f);
	}
	b->flush = false;
	b->n = 0;
}

/* ---- backing ---- */

/* A whole 2 MiB frame for chunk c: from the reservation, else if the host has one to spare. */
static paddr_t take_chunk(struct vm *vm, bool *from_pool)
{
	irqflags_t f = spin_lock_irqsave(&vm->mem_lock);
	paddr_t hpa = vm->pool_n ? vm->pool[--vm->pool_n] : 0;

	spin_unlock_irqrestore(&vm->mem_lock, f);
	*from_pool = hpa != 0;
	if (hpa || vm_ram_free_for_guests() < VM_CHUNK_SIZE)
		return hpa;
	/* 2 MiB-aligned so that nested paging maps it with one large page. */
	return pmm_alloc(CHUNK_PAGES, CHUNK_PAGES);
}

/* 1 backed now, 0 it already was, -ENOMEM no whole frame (the caller goes page by page). */
static int populate_chunk(struct vm *vm, u64 c)
{
	bool from_pool;
	paddr_t hpa = take_chunk(vm, &from_pool);
	irqflags_t f;
	int r = 0;

	if (!hpa)
		return -ENOMEM;
	/* Zeroed outside the lock: 2 MiB takes a while under emulation. */
	memset(phys_to_virt(hpa), 0, VM_CHUNK_SIZE);
	f = spin_lock_irqsave(&vm->mem_lock);
	if (!gmem_chunk_backed(&vm->mem, c) &&
	    !arch_vm_map_ram(vm, page_gpa(vm, c * CHUNK_PAGES), hpa, VM_CHUNK_SIZE)) {
		gmem_install_chunk(&vm->mem, c, hpa);
		vm->own_peak = MAX(vm->own_peak, vm->mem.own);
		r = 1;
	} else if (from_pool) {
		vm->pool[vm->pool_n++] = hpa;   /* back where it came from */
		hpa = 0;
	}
	spin_unlock_irqrestore(&vm->mem_lock, f);
	if (r <= 0 && hpa)
		pmm_free(hpa, CHUNK_PAGES);
	/* A mapping appeared: entries flush, as they did for any change. */
	__atomic_add_fetch(&vm->tlb_gen, 1, __ATOMIC_SEQ_CST);
	return r;
}

/* gmem_touch with the right locks: the sharing lock only when the page is shared. */
static int touch(struct vm *vm, u64 page)
{
	struct gmem_batch b = { 0 };
	irqflags_t f = spin_lock_irqsave(&vm->mem_lock), f2;
	int r = gmem_touch(&vm->mem, NULL, page, &b);

	spin_unlock_irqrestore(&vm->mem_lock, f);
	if (r == -EAGAIN) {
		f2 = spin_lock_irqsave(&share_lock);
		spin_lock(&vm->mem_lock);
		r = gmem_touch(&vm->mem, &share, page, &b);
		spin_unlock(&vm->mem_lock);
		spin_unlock_irqrestore(&share_lock, f2);
	}
	if (r > 0 && vm->mem.own > vm->own_peak)
		vm->own_peak = vm->mem.own;
	settle(vm, &b);
	return r;
}

/* Make page writable: its whole chunk while the host has 2 MiB frames, else the page. */
static int make_writable(struct vm *vm, u64 page)
{
	if (!gmem_chunk_backed(&vm->mem, page / CHUNK_PAGES) &&
	    populate_chunk(vm, page / CHUNK_PAGES) == 1)
		return 1;
	return touch(vm, page);
}

int vm_ram_fault(struct vm *vm, u64 gpa)
{
	s64 page = page_of(vm, gpa);

	return page < 0 ? -EFAULT : make_writable(vm, (u64)page);
}

/* ---- the host's accesses ---- */

static int vm_copy(struct vm *vm, u64 gpa, void *buf, u64 len, int dir)
{
	/* dir: 0 read into buf, 1 write from buf, 2 zero */
	if (!vm_ram_contains(vm, gpa, len))
		return -EFAULT;
	while (len) {
		u64 off = gpa & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);
		u64 page = (u64)page_of(vm, gpa);
		struct gmem_batch b = { 0 };
		irqflags_t f;
		u8 *p;

		/* Writes need the page writable first (backed, not shared). */
		if (dir && make_writable(vm, page) < 0) {
			/* While loading, the caller refuses the VM; once it runs, it stops. */
			if (READ_ONCE(vm->state) == VM_STATE_RUNNING)
				vm_stop(vm, VM_STATE_CRASHED,
					"out of host memory: guest RAM at %#llx cannot be backed",
					(unsigned long long)gpa);
			return -EFAULT;
		}
		/* Under the lock, so the scanner or the balloon cannot take the frame meanwhile. */
		f = spin_lock_irqsave(&vm->mem_lock);
		p = gmem_host_page(&vm->mem, page, dir != 0, &b);
		if (p) {
			p += off;
			if (dir == 0)
				memcpy(buf, p, n);
			else if (dir == 1)
				memcpy(p, buf, n);
			else
				memset(p, 0, n);
		}
		spin_unlock_irqrestore(&vm->mem_lock, f);
		settle(vm, &b);
		if (!p)
			continue;       /* shared again between the touch and the lock: once more */
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

/* ---- the balloon ---- */

int vm_ram_balloon_inflate(struct vm *vm, u64 gpa)
{
	s64 page = page_of(vm, gpa);
	struct gmem_batch b = { 0 };
	irqflags_t f;
	int r;

	if (page < 0)
		return -EFAULT;
	f = spin_lock_irqsave(&share_lock);
	spin_lock(&vm->mem_lock);
	r = gmem_balloon_inflate(&vm->mem, &share, (u64)page, &b);
	spin_unlock(&vm->mem_lock);
	spin_unlock_irqrestore(&share_lock, f);
	settle(vm, &b);
	return r < 0 ? r : 0;
}

void vm_ram_balloon_deflate(struct vm *vm, u64 gpa)
{
	s64 page = page_of(vm, gpa);
	irqflags_t f;

	if (page < 0)
		return;
	f = spin_lock_irqsave(&vm->mem_lock);
	gmem_balloon_deflate(&vm->mem, (u64)page);
	spin_unlock_irqrestore(&vm->mem_lock, f);
}

/* ---- life cycle ---- */

/* A reset: what the guest wrote is gone; backed chunks stay backed. No vCPU runs. */
void vm_ram_zero(struct vm *vm)
{
	irqflags_t f = spin_lock_irqsave(&share_lock);

	spin_lock(&vm->mem_lock);
	gmem_reset(&vm->mem, &share);
	spin_unlock(&vm->mem_lock);
	spin_unlock_irqrestore(&share_lock, f);
	__atomic_add_fetch(&vm->tlb_gen, 1, __ATOMIC_SEQ_CST);
}

/* The sharing table and the zero frame, once: a slot per 16 host pages. */
static int share_init(void)
{
	u64 want = pmm_usable_bytes() / PAGE_SIZE / 16, n = 1024;
	struct pshare_ent *slots;
	irqflags_t f;

	if (zero_frame)
		return 0;
	while (n < want)
		n <<= 1;
	slots = kmalloc(n * sizeof(*slots));
	if (!slots || !pmm_alloc_page_zeroed(&zero_frame)) {
		kfree(slots);
		zero_frame = 0;
		return -ENOMEM;
	}
	f = spin_lock_irqsave(&share_lock);
	pshare_init(&share, slots, n);
	spin_unlock_irqrestore(&share_lock, f);
	pr_info("mem: page sharing table of %llu slots (%llu KiB)\n", (unsigned long long)n,
		(unsigned long long)(n * sizeof(*slots) >> 10));
	return 0;
}

/* Pages merge only within one domain: the VM itself, or the VMs of one salt. */
static u64 share_domain(const struct vm *vm)
{
	const char *s = vm->cfg.pshare_salt;
	u64 h = 0xcbf29ce484222325ull;

	if (!vm->cfg.pshare_enable)
		return 0;
	if (!*s)
		return (u64)vm->id + 1;
	for (; *s; s++)
		h = (h ^ (u8)*s) * 0x100000001b3ull;
	return h | 1ull << 63;   /* never a VM's own domain */
}

int vm_ram_init(struct vm *vm, char *why, size_t whylen, unsigned *why_line)
{
	/* An odd MB still needs its whole chunk. */
	u64 want = ((vm->cfg.mem_min_mib << 20) + VM_CHUNK_SIZE - 1) >> VM_CHUNK_SHIFT;

	if (share_init() ||
	    gmem_init(&vm->mem, &ops, vm, vm->ram_size >> VM_CHUNK_SHIFT, share_domain(vm),
		      zero_frame) ||
	    (want && !(vm->pool = kzalloc(want * sizeof(paddr_t))))) {
		snprintf(why, whylen, "out of host memory");
		return -ENOMEM;
	}
	vm->overhead_bytes += want * sizeof(paddr_t);
	/*
	 * Admission: the reservation is taken now, as whole frames, so that
	 * nothing another VM does later can keep this one from its pages.
	 */
	while (vm->pool_n < want) {
		paddr_t hpa = vm_ram_free_for_guests() >= VM_CHUNK_SIZE
				      ? pmm_alloc(CHUNK_PAGES, CHUNK_PAGES)
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
	vm->reserved_pages = want * CHUNK_PAGES;
	return 0;
}

u64 vm_ram_overhead(struct vm *vm)
{
	return vm->mem.chunks ? gmem_overhead(&vm->mem) : 0;
}

u64 vm_ram_backed_peak(struct vm *vm)
{
	return vm->own_peak << PAGE_SHIFT;
}

#define MIB(pages) ((unsigned long long)((pages) >> (20 - PAGE_SHIFT)))

void vm_log_memory(struct vm *vm)
{
	const struct gmem *g = &vm->mem;

	u64 own = READ_ONCE(g->own), shared = READ_ONCE(g->shared), zero = READ_ONCE(g->zero);

	/* ESX's words: granted is what the guest can use, own + shared + zero. */
	pr_info("vm %s: memory: granted %llu of %llu MiB (own %llu, shared %llu, zero %llu), "
		"ballooned %llu MiB, %llu MB reserved (%llu MiB of it not used yet), overhead %llu "
		"KiB\n", vm->name, MIB(own + shared + zero), (unsigned long long)(vm->ram_size >> 20),
		MIB(own), MIB(shared), MIB(zero), MIB(READ_ONCE(g->ballooned)),
		(unsigned long long)vm->cfg.mem_min_mib,
		MIB(READ_ONCE(vm->pool_n) * CHUNK_PAGES + READ_ONCE(vm->spare_n)),
		(unsigned long long)(vm_overhead(vm) >> 10));
}

void vm_ram_free(struct vm *vm)
{
	irqflags_t f = spin_lock_irqsave(&share_lock);

	/* The VM is gone from every CPU: no translation to shoot down. */
	if (vm->mem.chunks)
		gmem_free(&vm->mem, &share);
	pshare_forget(&share, &vm->mem);
	spin_unlock_irqrestore(&share_lock, f);
	while (vm->spare_n) {
		paddr_t pa = vm->spare;

		vm->spare = *(paddr_t *)phys_to_virt(pa);
		vm->spare_n--;
		pmm_free(pa, 1);
	}
	while (vm->pool && vm->pool_n)
		pmm_free(vm->pool[--vm->pool_n], CHUNK_PAGES);
	kfree(vm->pool);
	vm->pool = NULL;
	vm->reserved_pages = 0;
}

const u8 *vm_ram_code_page(struct vm *vm, u64 gpa, u32 *gen)
{
	s64 page = page_of(vm, gpa);
	const u8 *p = NULL;
	irqflags_t f;

	if (page < 0)
		return NULL;
	f = spin_lock_irqsave(&vm->mem_lock);
	/* Read under the lock: no frame changes without the generation moving after it. */
	*gen = __atomic_load_n(&vm->tlb_gen, __ATOMIC_ACQUIRE);
	p = gmem_host_page(&vm->mem, (u64)page, false, NULL);
	spin_unlock_irqrestore(&vm->mem_lock, f);
	return p;
}

/* One scanner batch: gmem's two steps, with the locks and the shootdown between them. */
u64 vm_ram_scan_batch(struct vm *vm, u64 budget)
{
	struct gmem_scan s;
	struct gmem_batch b = { 0 };
	irqflags_t f;
	u64 looked;

	f = spin_lock_irqsave(&share_lock);
	spin_lock(&vm->mem_lock);
	looked = gmem_scan_prepare(&vm->mem, &share, &s, budget, &b);
	spin_unlock(&vm->mem_lock);
	spin_unlock_irqrestore(&share_lock, f);
	if (!s.n)
		return looked;
	/* The candidates are read-only now: once no vCPU can write them, compare and merge. */
	settle(vm, &b);
	f = spin_lock_irqsave(&share_lock);
	spin_lock(&vm->mem_lock);
	gmem_scan_commit(&vm->mem, &share, &s, &b);
	spin_unlock(&vm->mem_lock);
	spin_unlock_irqrestore(&share_lock, f);
	settle(vm, &b);
	return looked;
}
