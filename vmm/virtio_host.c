// SPDX-License-Identifier: MIT
/*
 * virtio_host.c: a VM's virtio-mmio devices (docs/vmm.md, "virtio"): built
 * from its config in slot order (disks, console, rng, balloon, NICs), placed on the MMIO
 * bus, given guest RAM through vm_read/vm_write and interrupts through the
 * I/O APIC. Device code runs under vm->lock like every device model.
 */
#include <tv/arch.h>
#include <tv/cmdline.h>
#include <tv/drbg.h>
#include <tv/drivers.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/frameq.h>
#include <tv/virtio.h>
#include <tv/vmm_layout.h>
#include <tv/vswitch_host.h>
#include "vmm_internal.h"

#define MAX_REPORTS 8   /* breakage reports per device: a guest cannot flood the log */

/* A VM NIC: the device, the frames the vSwitch queued for it, its switch port. */
struct vm_nic {
	struct virtio_net dev;          /* first: the slot is the allocation */
	struct frameq rxq;
	struct vsw_vm_port *port;
	struct vm *vm;
};

struct vm_virtio {
	unsigned n;
	struct vm_nic *nic[VMCFG_NICS_MAX];
	struct virtio_mmio *slot[GUEST_VIRTIO_MAX];
	struct blkdev *disk[VMCFG_DISKS_MAX];
	u8 *bounce[VMCFG_DISKS_MAX];
	unsigned reports[GUEST_VIRTIO_MAX];
	char names[GUEST_VIRTIO_MAX][16];
	struct drbg drbg;
	bool hw_rdrand;
	struct virtio_balloon *balloon;
	u64 *balloon_map;
	u64 balloon_logged_ns;          /* when "pages held" was last logged */
	struct vm *vm;
};

static const struct vio_ops virtio_ops = { virtio_mmio_read, virtio_mmio_write };

static void broken(struct virtio_mmio *d, const char *why)
{
	struct vm *vm = d->mem.vm;
	struct vm_virtio *vv = vm->virtio;
	unsigned i = (unsigned)((d->gsi - GUEST_GSI_VIRTIO0) % GUEST_VIRTIO_MAX);

	if (vv->reports[i] < MAX_REPORTS)
		pr_warn("vm %s: %s: %s; device needs reset%s\n", vm->name, d->name, why,
			++vv->reports[i] == MAX_REPORTS ? " (further reports suppressed)" : "");
}

/* ---- entropy: the CPU's RDRAND if it has one, else the DRBG ---- */

static bool rdrand64(u64 *v)
{
	unsigned char ok;

	asm volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static void rng_fill(void *ctx, void *buf, u64 n)
{
	struct vm_virtio *vv = ctx;
	u8 *p = buf;

	while (n && vv->hw_rdrand) {
		u64 v;
		bool ok = false;

		/* It may run dry for a moment; retry a little, then use the DRBG. */
		for (int t = 0; t < 10 && !ok; t++)
			ok = rdrand64(&v);
		if (!ok)
			break;
		memcpy(p, &v, n < 8 ? n : 8);
		p += n < 8 ? n : 8;
		n -= n < 8 ? n : 8;
	}
	if (n)
		drbg_generate(&vv->drbg, p, n);
}

/* Seed from what varies between hosts and boots: TSC readings around timer reads, the clock. */
static void rng_seed(struct vm_virtio *vv, struct vm *vm)
{
	u64 seed[34], at_ns;
	u32 r[4];

	for (unsigned i = 0; i < 32; i++) {
		u64 t = arch_cycles();

		seed[i] = t ^ (arch_uptime_ns() << 17) ^ (arch_cycles() - t) << 48;
	}
	seed[32] = (u64)rtc_wall_secs(&at_ns) ^ at_ns;
	seed[33] = (u64)(uintptr_t)vm ^ vm->id;
	drbg_seed(&vv->drbg, seed, sizeof(seed));
	/*
	 * RDRAND is the CPU's DRBG, reseeded from its own entropy source: what
	 * a guest's rng needs. (RDSEED gives raw seeds, slowly: not needed.)
	 */
	arch_cpuid(1, 0, r);
	vv->hw_rdrand = r[2] & (1u << 30);
}

/* ---- set-up ---- */

/* A zeroed device of size bytes for the next slot (freed with the VM), or NULL. */
static void *new_dev(struct vm *vm, size_t size)
{
	struct vm_virtio *vv = vm->virtio;
	void *d = kzalloc(size);

	if (d) {
		vv->slot[vv->n] = d;    /* the transport is each device's first member */
		vm->overhead_bytes += size;
	}
	return d;
}

/* The device in the next slot goes on the bus (it fails only for want of memory). */
static int place(struct vm *vm, const char *name)
{
	struct vm_virtio *vv = vm->virtio;
	unsigned i = vv->n++;
	struct virtio_mmio *d = vv->slot[i];

	vm->nvirtio = vv->n;
	d->broken = broken;
	tv_strlcpy(vv->names[i], name, sizeof(vv->names[i]));
	d->name = vv->names[i];
	return vm_bus_add(vm, true, GUEST_VIRTIO_BASE + i * GUEST_VIRTIO_STRIDE, VIRTIO_MMIO_SIZE,
			  &virtio_ops, d);
}

/* ---- NICs: frames out go to vSwitch0; frames in wait in rxq for vm_net_feed ---- */

static void nic_tx(void *ctx, const u8 *frame, size_t len)
{
	vswitch_send(((struct vm_nic *)ctx)->port, frame, len);
}

/* The port is on the switch before the VM's vCPUs exist: frames then wait for its first run. */
static void nic_wake(void *ctx)
{
	struct vcpu *v = READ_ONCE(((struct vm_nic *)ctx)->vm->vcpus[0]);

	if (v)
		vcpu_kick(v);
}

bool vm_net_pending(struct vm *vm)
{
	struct vm_virtio *vv = vm->virtio;

	for (unsigned i = 0; vv && i < VMCFG_NICS_MAX; i++)
		if (vv->nic[i] && vswitch_rx_pending(vv->nic[i]->port))
			return true;
	return false;
}

void vm_net_feed(struct vm *vm)
{
	struct vm_virtio *vv = vm->virtio;

	for (unsigned i = 0; vv && i < VMCFG_NICS_MAX; i++) {
		struct vm_nic *nic = vv->nic[i];

		if (nic && vswitch_rx_begin(nic->port)) {
			irqflags_t f = spin_lock_irqsave(&vm->lock);

			virtio_net_rx(&nic->dev);
			spin_unlock_irqrestore(&vm->lock, f);
		}
	}
}

/* ethernetN: a virtio-net device on its port group; 0, or <0 with why and its line. */
static int nic_create(struct vm *vm, unsigned n, const struct vq_mem *mem, char *why,
		      size_t whylen, unsigned *why_line)
{
	const struct vmcfg_nic *c = &vm->cfg.nic[n];
	struct vm_virtio *vv = vm->virtio;
	struct vm_nic *nic = new_dev(vm, sizeof(*nic));
	char name[16], reason[96];

	if (!nic)
		return -ENOMEM;
	nic->vm = vm;
	virtio_net_init(&nic->dev, c->mac, nic_tx, nic, &nic->rxq, &vm->host, mem,
			GUEST_GSI_VIRTIO0 + vv->n);
	snprintf(name, sizeof(name), "virtio-net%u", n);
	if (place(vm, name))
		return -ENOMEM;
	vv->nic[n] = nic;
	nic->port = vswitch_attach(c->network, c->mac, &nic->rxq, nic_wake, nic, reason,
				   sizeof(reason));
	if (!nic->port) {
		snprintf(why, whylen, "ethernet%u: %s", n, reason);
		*why_line = c->line;
		return -EINVAL;
	}
	pr_info("vm %s: ethernet%u %02x:%02x:%02x:%02x:%02x:%02x on \"%s\"\n", vm->name, n,
		c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5], c->network);
	return 0;
}

/* ---- the balloon: the host's target in, the guest's pages out ---- */

#define BALLOON_LOG_NS 1000000000ull    /* "pages held" at most once a second, and at the target */

/* The guest wrote actual: log it, rate-limited (vm->lock held, as for any device). */
static void balloon_changed(void *ctx, u32 actual, u64 held)
{
	struct vm_virtio *vv = ctx;
	u64 now = arch_uptime_ns();

	if (actual != vv->balloon->num_pages && vv->balloon_logged_ns &&
	    now - vv->balloon_logged_ns < BALLOON_LOG_NS)
		return;
	vv->balloon_logged_ns = now ? now : 1;
	pr_info("vm %s: balloon: %llu pages held, guest says %u, target %u\n", vv->vm->name,
		(unsigned long long)held, actual, vv->balloon->num_pages);
}

/* The end of the VM's highest RAM: the balloon tracks the pages below it. */
static u64 ram_top(const struct vm *vm)
{
	return vm->ram_size <= GUEST_LOW_RAM_END ? vm->ram_size
						 : GUEST_HIGH_RAM_BASE + vm->ram_size - GUEST_LOW_RAM_END;
}

/* Pages of RAM the balloon may take: all of it (the policy keeps a floor), in 32 bits. */
static u32 balloon_clamp(const struct vm *vm, u64 pages)
{
	u64 max = vm->ram_size >> VIRTIO_BALLOON_PFN_SHIFT;

	if (pages > max)
		pages = max;
	return pages > 0xffffffffull ? 0xffffffffu : (u32)pages;
}

/* test.balloon=MiB (docs/testing.md): every VM gets a balloon with this initial target. */
static bool balloon_wanted(const struct vm_config *c)
{
	return c->virtio_balloon || cmdline_get("test.balloon");
}

static int balloon_create(struct vm *vm, const struct vq_mem *mem)
{
	struct vm_virtio *vv = vm->virtio;
	struct virtio_balloon *b = new_dev(vm, sizeof(*b));
	u64 top = ram_top(vm), bytes = VIRTIO_BALLOON_MAP_BYTES(top);

	if (!b)
		return -ENOMEM;
	vv->balloon_map = kzalloc(bytes);
	if (!vv->balloon_map)
		return -ENOMEM;
	vm->overhead_bytes += bytes;
	virtio_balloon_init(b, vm_ram_balloon_inflate, vm_ram_balloon_deflate, vv->balloon_map, top,
			    &vm->host, mem, GUEST_GSI_VIRTIO0 + vv->n);
	b->changed = balloon_changed;
	b->changed_ctx = vv;
	if (cmdline_get("test.balloon")) {
		u64 mib = cmdline_u64("test.balloon", 0);

		/* MiB to pages without wrapping; the clamp takes it down to the VM's RAM. */
		b->num_pages = balloon_clamp(vm, mib >> 40 ? ~0ull : mib << (20 - VIRTIO_BALLOON_PFN_SHIFT));
	}
	if (place(vm, "virtio-balloon"))
		return -ENOMEM;
	/* Published last: vm_balloon_* from other CPUs see a device that is on the bus. */
	__atomic_store_n(&vv->balloon, b, __ATOMIC_RELEASE);
	pr_info("vm %s: virtio-balloon, target %u pages\n", vm->name, b->num_pages);
	return 0;
}

static struct virtio_balloon *balloon_of(struct vm *vm)
{
	struct vm_virtio *vv = READ_ONCE(vm->virtio);

	return vv ? __atomic_load_n(&vv->balloon, __ATOMIC_ACQUIRE) : NULL;
}

bool vm_balloon_present(struct vm *vm)
{
	return balloon_of(vm) != NULL;
}

void vm_balloon_set_target(struct vm *vm, u64 pages)
{
	struct virtio_balloon *b = balloon_of(vm);
	irqflags_t f;

	if (!b)
		return;
	/* vm->lock, as for a vCPU's MMIO access: the config and the interrupt line change together. */
	f = spin_lock_irqsave(&vm->lock);
	virtio_balloon_set_target(b, balloon_clamp(vm, pages));
	spin_unlock_irqrestore(&vm->lock, f);
}

u64 vm_balloon_actual(struct vm *vm)
{
	struct virtio_balloon *b = balloon_of(vm);

	/* One aligned 32-bit value the driver writes under vm->lock: a plain read is whole. */
	return b ? READ_ONCE(b->actual) : 0;
}

/* How many slots the config asks for: disks, console, rng, balloon, NICs. */
static unsigned slots_wanted(const struct vm_config *c)
{
	unsigned k = c->virtio_console + c->virtio_rng + balloon_wanted(c);

	for (unsigned n = 0; n < VMCFG_DISKS_MAX; n++)
		k += c->disk[n].present;
	for (unsigned n = 0; n < VMCFG_NICS_MAX; n++)
		k += c->nic[n].present;
	return k;
}

int vm_virtio_init(struct vm *vm, char *why, size_t whylen, unsigned *why_line)
{
	const struct vm_config *c = &vm->cfg;
	/* vm_read/vm_write refuse anything that is not this VM's RAM */
	struct vq_mem mem = { vm, vm_read, vm_write, vm_ram_contains };
	struct vm_virtio *vv = kzalloc(sizeof(*vv));
	char name[16];
	int r;

	if (!vv)
		goto nomem;
	vm->virtio = vv;
	vv->vm = vm;
	vm->overhead_bytes += sizeof(*vv);
	if (slots_wanted(c) > GUEST_VIRTIO_MAX) {
		snprintf(why, whylen, "%s: more than %u virtio devices (disks, NICs, console, rng, balloon)",
			 c->file, GUEST_VIRTIO_MAX);
		return -ENOSPC;
	}
	for (unsigned n = 0; n < VMCFG_DISKS_MAX; n++) {
		struct virtio_blk *b;

		if (!c->disk[n].present)
			continue;
		r = disk_open(&c->disk[n], n, &vv->disk[n], why, whylen);
		if (r)
			return r;
		vv->bounce[n] = kmalloc(VIRTIO_BLK_BOUNCE);
		b = new_dev(vm, sizeof(*b));
		if (!b || !vv->bounce[n])
			goto nomem;
		vm->overhead_bytes += VIRTIO_BLK_BOUNCE;
		virtio_blk_init(b, vv->disk[n], vv->bounce[n], &vm->host, &mem, GUEST_GSI_VIRTIO0 + vv->n);
		snprintf(name, sizeof(name), "virtio-blk%u", n);
		if (place(vm, name))
			goto nomem;
	}
	if (c->virtio_console) {
		struct virtio_con *con = new_dev(vm, sizeof(*con));

		if (!con)
			goto nomem;
		virtio_con_init(con, vm_console_hvc, vm, &vm->host, &mem, GUEST_GSI_VIRTIO0 + vv->n);
		if (place(vm, "virtio-console"))
			goto nomem;
	}
	if (c->virtio_rng) {
		struct virtio_rng *rng = new_dev(vm, sizeof(*rng));

		if (!rng)
			goto nomem;
		rng_seed(vv, vm);
		virtio_rng_init(rng, rng_fill, vv, &vm->host, &mem, GUEST_GSI_VIRTIO0 + vv->n);
		if (place(vm, "virtio-rng"))
			goto nomem;
	}
	if (balloon_wanted(c) && balloon_create(vm, &mem))
		goto nomem;
	for (unsigned n = 0; n < VMCFG_NICS_MAX; n++) {
		if (!c->nic[n].present)
			continue;
		r = nic_create(vm, n, &mem, why, whylen, why_line);
		if (r == -ENOMEM)
			goto nomem;
		if (r)
			return r;
	}
	return 0;
nomem:
	snprintf(why, whylen, "out of host memory for virtio devices");
	return -ENOMEM;
}

/* A guest reset: every device back to its power-on state; disks keep their data. */
void vm_virtio_reset(struct vm *vm)
{
	struct vm_virtio *vv = vm->virtio;

	for (unsigned i = 0; vv && i < vv->n; i++)
		virtio_mmio_reset(vv->slot[i]);
}

void vm_virtio_log(struct vm *vm)
{
	struct vm_virtio *vv = vm->virtio;

	for (unsigned i = 0; vv && i < vv->n; i++) {
		struct virtio_mmio *d = vv->slot[i];

		if (d->ops->device_id == VIRTIO_ID_BLOCK) {
			struct virtio_blk *b = d->dev;

			pr_info("vm %s: %s: %llu notifies, %llu interrupts, %llu KiB read, %llu KiB written\n",
				vm->name, d->name, (unsigned long long)d->notifies,
				(unsigned long long)d->irqs, (unsigned long long)(b->sectors_read / 2),
				(unsigned long long)(b->sectors_written / 2));
		} else if (d->ops->device_id == VIRTIO_ID_NET) {
			struct vm_nic *nic = d->dev;

			pr_info("vm %s: %s: %llu notifies, %llu interrupts, %llu frames in, %llu out, "
				"%llu dropped for want of buffers, %llu bad\n",
				vm->name, d->name, (unsigned long long)d->notifies,
				(unsigned long long)d->irqs, (unsigned long long)nic->dev.rx_frames,
				(unsigned long long)nic->dev.tx_frames,
				(unsigned long long)(nic->rxq.drops + nic->dev.rx_short),
				(unsigned long long)nic->dev.tx_bad);
		} else if (d->ops->device_id == VIRTIO_ID_BALLOON) {
			struct virtio_balloon *b = d->dev;

			pr_info("vm %s: %s: %llu notifies, %llu interrupts, target %u pages, guest says %u, "
				"%llu held (%llu in, %llu out, %llu ignored)\n", vm->name, d->name,
				(unsigned long long)d->notifies, (unsigned long long)d->irqs, b->num_pages,
				b->actual, (unsigned long long)b->held, (unsigned long long)b->inflated,
				(unsigned long long)b->deflated, (unsigned long long)b->ignored);
		} else {
			pr_info("vm %s: %s: %llu notifies, %llu interrupts\n", vm->name, d->name,
				(unsigned long long)d->notifies, (unsigned long long)d->irqs);
		}
	}
}

void vm_virtio_free(struct vm *vm)
{
	struct vm_virtio *vv = vm->virtio;

	if (!vv)
		return;
	for (unsigned n = 0; n < VMCFG_NICS_MAX; n++)
		if (vv->nic[n])
			vswitch_detach(vv->nic[n]->port);
	/* A device allocated for a slot that never got placed is freed too. */
	for (unsigned i = 0; i <= vv->n && i < GUEST_VIRTIO_MAX; i++)
		kfree(vv->slot[i]);
	for (unsigned n = 0; n < VMCFG_DISKS_MAX; n++) {
		disk_close(vv->disk[n], &vm->cfg.disk[n]);
		kfree(vv->bounce[n]);
	}
	kfree(vv->balloon_map);
	kfree(vv);
	vm->virtio = NULL;
}
