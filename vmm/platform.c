// SPDX-License-Identifier: MIT
/*
 * platform.c: the PC every guest gets (docs/vmm.md): COM1, the PIT, the CMOS
 * RTC, ACPI fixed hardware (PM timer, S5 poweroff, reset), 8259 PICs as
 * registers only, an I/O APIC and a local APIC per vCPU. Wires the device models to the buses,
 * routes interrupts I/O APIC -> local APIC -> vCPU, and turns the guest's
 * poweroff and reset into VM lifecycle events.
 */
#include <tv/arch.h>
#include <tv/drivers.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/vdev/acpi_pm.h>
#include <tv/vdev/pic8259.h>
#include <tv/vdev/pit.h>
#include <tv/vdev/rtc.h>
#include <tv/vdev/uart16550.h>
#include <tv/vdev/vioapic.h>
#include <tv/vdev/vlapic.h>
#include <tv/vmm_layout.h>
#include "vmm_internal.h"

struct vm_devices {
	struct pic8259 pic;
	struct uart16550 uart;
	struct vpit pit;
	struct vrtc rtc;
	struct vacpi_pm pm;
	struct vioapic ioapic;
	unsigned lowest_next;   /* lowest-priority ties: where the round-robin goes on */
};

/* One bus range of the ACPI block: the region tells the device which port it is. */
struct pm_port {
	struct vacpi_pm *pm;
	enum vacpi_pm_region region;
};

static struct pm_port pm_ports[] = {
	{ NULL, VACPI_PM_EVT }, { NULL, VACPI_PM_CNT }, { NULL, VACPI_PM_TMR },
	{ NULL, VACPI_PM_RESET }, { NULL, VACPI_PM_KBD_DATA }, { NULL, VACPI_PM_KBD_CMD },
	{ NULL, VACPI_PM_POST },
};

static const struct { u16 port, len; } pm_ranges[] = {
	{ GUEST_PORT_PM1A_EVT, 4 }, { GUEST_PORT_PM1A_CNT, 2 }, { GUEST_PORT_PM_TMR, 4 },
	{ GUEST_PORT_RESET, 1 }, { GUEST_PORT_I8042_DATA, 1 }, { GUEST_PORT_I8042_CMD, 1 },
	{ GUEST_PORT_POST, 1 },
};

/* ---- bus adapters: devices take their own struct, buses a void pointer ---- */

#define ADAPT(name, type, rd, wr)                                                     \
	static int name##_rd(void *d, u64 off, unsigned sz, u64 *v) { return rd((type *)d, off, sz, v); } \
	static int name##_wr(void *d, u64 off, unsigned sz, u64 v) { return wr((type *)d, off, sz, v); } \
	static const struct vio_ops name##_ops = { name##_rd, name##_wr }

ADAPT(uart, struct uart16550, uart16550_read, uart16550_write);
ADAPT(pit, struct vpit, vpit_read, vpit_write);
ADAPT(port61, struct vpit, vpit_port61_read, vpit_port61_write);
ADAPT(rtc, struct vrtc, vrtc_read, vrtc_write);
ADAPT(ioapic, struct vioapic, vioapic_read, vioapic_write);
ADAPT(pic, struct pic8259, pic8259_read, pic8259_write);
ADAPT(elcr, struct pic8259, pic8259_elcr_read, pic8259_elcr_write);

static int pic_slave_rd(void *d, u64 off, unsigned sz, u64 *v)
{
	return pic8259_read(d, off + 0x80, sz, v);
}

static int pic_slave_wr(void *d, u64 off, unsigned sz, u64 v)
{
	return pic8259_write(d, off + 0x80, sz, v);
}

static const struct vio_ops pic_slave_ops = { pic_slave_rd, pic_slave_wr };

static int pm_rd(void *d, u64 off, unsigned sz, u64 *v)
{
	struct pm_port *p = d;

	return vacpi_pm_read(p->pm, p->region, off, sz, v);
}

static int pm_wr(void *d, u64 off, unsigned sz, u64 v)
{
	struct pm_port *p = d;

	return vacpi_pm_write(p->pm, p->region, off, sz, v);
}

static const struct vio_ops pm_ops = { pm_rd, pm_wr };

/* ---- callbacks from devices ---- */

static void uart_tx(void *ctx, u8 byte)
{
	vm_console_putc(ctx, byte);
}

static void guest_poweroff(void *ctx)
{
	vm_stop(ctx, VM_STATE_OFF, "guest powered off (ACPI S5)");
}

static void guest_reset(void *ctx)
{
	vm_request_reset(ctx);
}

/*
 * An interrupt message (I/O APIC redirection or IPI) to the local APICs it
 * names, with vm->lock held: every vLAPIC of the VM is guarded by it, so a
 * sender on one CPU may write into the vLAPIC of a vCPU running on another;
 * vlapic_deliver kicks each target (ops->kick -> vcpu_kick).
 *
 * src is the sending vCPU for IPIs (shorthands), NULL for the I/O APIC.
 * Fixed, NMI, INIT and SIPI messages go to every target. A lowest-priority
 * message goes to one target only: among those whose APIC is software-
 * enabled, the one with the lowest processor priority (PPR), ties taken in
 * turn so that one vCPU does not get them all (the SDM leaves the choice
 * among equals to the platform). No target at all (an APIC ID nobody has):
 * the message is lost, as on an xAPIC system bus, and no error is logged.
 */
static void route_message(struct vm *vm, const struct vcpu *src, unsigned shorthand, u32 dest,
			  bool logical, u8 mode, u8 vector, bool level)
{
	struct vcpu *best = NULL;
	unsigned best_ppr = ~0u, n = vm->nvcpus, start = 0;

	if (mode == VLAPIC_DM_LOWEST && n)
		start = vm->dev->lowest_next % n;
	for (unsigned k = 0; k < n; k++) {
		struct vcpu *v = vm->vcpus[(start + k) % n];
		bool hit;

		if (!v || !v->lapic)
			continue;
		switch (shorthand) {
		case VLAPIC_SH_SELF: hit = v == src; break;
		case VLAPIC_SH_ALL: hit = true; break;
		case VLAPIC_SH_OTHERS: hit = v != src; break;
		default: hit = vlapic_match_dest(v->lapic, dest, logical); break;
		}
		if (!hit)
			continue;
		if (mode != VLAPIC_DM_LOWEST) {
			vlapic_deliver(v->lapic, mode, vector, level);
			continue;
		}
		if (vlapic_enabled(v->lapic) && vlapic_ppr(v->lapic) < best_ppr) {
			best = v;
			best_ppr = vlapic_ppr(v->lapic);
		}
	}
	if (best) {
		vm->dev->lowest_next = best->id + 1;
		vlapic_deliver(best->lapic, mode, vector, level);
	}
}

/* I/O APIC message to local APICs: physical or logical destination. */
static void ioapic_deliver(void *ctx, u32 dest, bool logical, u8 mode, u8 vector, bool level)
{
	route_message(ctx, NULL, VLAPIC_SH_NONE, dest, logical, mode, vector, level);
}

static void host_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct vm *vm = ctx;

	if (gsi < VIOAPIC_PINS)
		vioapic_set_irq(&vm->dev->ioapic, gsi, level);
}

void vm_set_irq(struct vm *vm, unsigned gsi, bool level)
{
	irqflags_t f = spin_lock_irqsave(&vm->lock);

	host_set_irq(vm, gsi, level);
	spin_unlock_irqrestore(&vm->lock, f);
}

static void lapic_eoi(void *ctx, u8 vector)
{
	struct vcpu *v = ctx;

	vioapic_eoi(&v->vm->dev->ioapic, vector);
}

/* The guest wrote its ICR (vcpu_lapic_access holds vm->lock). */
static void lapic_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
	struct vcpu *src = ctx;

	route_message(src->vm, src, ipi->shorthand, ipi->dest, ipi->logical, ipi->delivery_mode,
		      ipi->vector, ipi->trigger_level);
}

static void lapic_kick(void *ctx)
{
	vcpu_kick(ctx);
}

static u64 lapic_guest_tsc(void *ctx)
{
	struct vcpu *v = ctx;

	return vm_guest_tsc(v->vm);
}

void vcpu_kick(struct vcpu *v)
{
	/*
	 * A vCPU in its run loop sees the count move before its next entry; the
	 * scheduler wakes a blocked one, or sends an IPI to the CPU a running
	 * one is on, which ends its guest's turn (docs/vmm.md, "Concurrency").
	 */
	__atomic_add_fetch(&v->kicks, 1, __ATOMIC_SEQ_CST);
	sched_wake_vcpu(v);
}

u64 vm_guest_tsc(struct vm *vm)
{
	return arch_cycles() + vm->tsc_offset;
}

/* ---- set-up ---- */

static int add(struct vm *vm, bool mmio, u64 base, u64 size, const struct vio_ops *ops, void *dev,
	       char *why, size_t whylen)
{
	int r = vm_bus_add(vm, mmio, base, size, ops, dev);

	if (r)
		snprintf(why, whylen, "cannot place a device at %#llx (%d)", (unsigned long long)base, r);
	return r;
}

int vm_platform_init(struct vm *vm, char *why, size_t whylen)
{
	struct vm_devices *d = kzalloc(sizeof(*d));
	static const struct vacpi_pm_ops pmops = { .poweroff = guest_poweroff, .reset = guest_reset };
	struct pm_port *ports;
	s64 wall;
	u64 wall_ns;

	if (!d) {
		snprintf(why, whylen, "out of host memory for devices");
		return -ENOMEM;
	}
	vm->dev = d;
	vm->overhead_bytes += sizeof(*d);
	vm_timers_init(vm);
	vm->host.set_irq = host_set_irq;
	wall = rtc_wall_secs(&wall_ns);

	pic8259_init(&d->pic);
	uart16550_init(&d->uart, &vm->host, GUEST_GSI_COM1, uart_tx);
	vpit_init(&d->pit, &vm->host, GUEST_GSI_PIT);
	vrtc_init(&d->rtc, &vm->host, GUEST_GSI_RTC, wall, wall_ns);
	vacpi_pm_init(&d->pm, &vm->host, GUEST_GSI_SCI, &pmops);
	vioapic_init(&d->ioapic, &vm->host, ioapic_deliver, (u8)vm->nvcpus);
	/* The PM ports each need to know their region: one small descriptor per port. */
	ports = kzalloc(sizeof(pm_ports));
	if (!ports) {
		snprintf(why, whylen, "out of host memory for devices");
		return -ENOMEM;
	}
	vm->dev_pm_ports = ports;
	for (size_t i = 0; i < ARRAY_SIZE(pm_ports); i++) {
		ports[i].pm = &d->pm;
		ports[i].region = pm_ports[i].region;
	}

	/* The PIC's two chips sit 0x80 apart: one range covers both, offsets tell them apart. */
	if (add(vm, false, GUEST_PORT_PIC_MASTER, 2, &pic_ops, &d->pic, why, whylen) ||
	    add(vm, false, GUEST_PORT_PIC_SLAVE, 2, &pic_slave_ops, &d->pic, why, whylen) ||
	    add(vm, false, GUEST_PORT_ELCR, 2, &elcr_ops, &d->pic, why, whylen) ||
	    add(vm, false, GUEST_PORT_COM1, 8, &uart_ops, &d->uart, why, whylen) ||
	    add(vm, false, GUEST_PORT_PIT, 4, &pit_ops, &d->pit, why, whylen) ||
	    add(vm, false, GUEST_PORT_SYS_CTRL_B, 1, &port61_ops, &d->pit, why, whylen) ||
	    add(vm, false, GUEST_PORT_RTC, 2, &rtc_ops, &d->rtc, why, whylen) ||
	    add(vm, true, GUEST_IOAPIC_BASE, VIOAPIC_MMIO_SIZE, &ioapic_ops, &d->ioapic, why, whylen))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(pm_ranges); i++)
		if (add(vm, false, pm_ranges[i].port, pm_ranges[i].len, &pm_ops, &ports[i], why,
			whylen))
			return -EINVAL;
	return 0;
}

void vm_platform_reset(struct vm *vm)
{
	struct vm_devices *d = vm->dev;
	irqflags_t f = spin_lock_irqsave(&vm->lock);

	pic8259_init(&d->pic);
	uart16550_reset(&d->uart);
	vpit_reset(&d->pit);
	vrtc_reset(&d->rtc);
	vacpi_pm_reset(&d->pm);
	vioapic_reset(&d->ioapic);
	vm_virtio_reset(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->lapic)
			vlapic_reset(vm->vcpus[i]->lapic);
	spin_unlock_irqrestore(&vm->lock, f);
}

void vm_platform_free(struct vm *vm)
{
	kfree(vm->dev_pm_ports);
	kfree(vm->dev);
	vm->dev = NULL;
	vm->dev_pm_ports = NULL;
}

int vm_platform_vcpu_init(struct vcpu *v)
{
	struct vlapic_ops ops = { .ctx = v, .eoi = lapic_eoi, .ipi = lapic_ipi, .kick = lapic_kick,
				  .guest_tsc = lapic_guest_tsc };

	v->lapic = kzalloc(sizeof(*v->lapic));
	if (!v->lapic)
		return -ENOMEM;
	vlapic_init(v->lapic, &v->vm->host, &ops, (u8)v->id, arch_tsc_hz());
	v->vm->overhead_bytes += sizeof(*v->lapic);
	return 0;
}

void vm_platform_vcpu_free(struct vcpu *v)
{
	kfree(v->lapic);
	v->lapic = NULL;
}

/* A lock-free peek (siblings may be setting IRR bits): deliver_events decides under the lock. */
int vcpu_irq_pending(struct vcpu *v)
{
	return v->lapic ? vlapic_pending_vector(v->lapic) : -1;
}

u8 vcpu_tpr_read(struct vcpu *v)
{
	u64 val = 0;

	if (v->lapic)
		vlapic_read(v->lapic, VLAPIC_REG_TPR, 4, &val);
	return (u8)val;
}

void vcpu_tpr_write(struct vcpu *v, u8 tpr)
{
	irqflags_t f;

	if (!v->lapic)
		return;
	f = spin_lock_irqsave(&v->vm->lock);
	vlapic_write(v->lapic, VLAPIC_REG_TPR, 4, tpr);
	spin_unlock_irqrestore(&v->vm->lock, f);
}

u64 vcpu_tsc_deadline_read(struct vcpu *v)
{
	/* Reading may find the deadline passed: that delivers and re-arms. */
	irqflags_t f = spin_lock_irqsave(&v->vm->lock);
	u64 val = vlapic_read_tsc_deadline(v->lapic);

	spin_unlock_irqrestore(&v->vm->lock, f);
	return val;
}

void vcpu_tsc_deadline_write(struct vcpu *v, u64 val)
{
	irqflags_t f = spin_lock_irqsave(&v->vm->lock);

	vlapic_write_tsc_deadline(v->lapic, val);
	spin_unlock_irqrestore(&v->vm->lock, f);
}

/* The local APIC page is per vCPU: it is not on the shared bus. */
bool vcpu_lapic_access(struct vcpu *v, u64 gpa, unsigned size, u64 *val, bool write)
{
	irqflags_t f;

	if (gpa < GUEST_LAPIC_BASE || gpa >= GUEST_LAPIC_BASE + VLAPIC_MMIO_SIZE ||
	    !(v->apic_base & (1ull << 11)))
		return false;
	f = spin_lock_irqsave(&v->vm->lock);
	if (write)
		vlapic_write(v->lapic, gpa - GUEST_LAPIC_BASE, size, *val);
	else if (vlapic_read(v->lapic, gpa - GUEST_LAPIC_BASE, size, val))
		*val = ~0ull;
	spin_unlock_irqrestore(&v->vm->lock, f);
	return true;
}

size_t vm_console_input(struct vm *vm, const char *buf, size_t len)
{
	irqflags_t f = spin_lock_irqsave(&vm->lock);
	size_t n = 0;

	while (n < len && vm->con_in_head - vm->con_in_tail < sizeof(vm->con_in))
		vm->con_in[vm->con_in_head++ % sizeof(vm->con_in)] = buf[n++];
	spin_unlock_irqrestore(&vm->lock, f);
	if (n)
		vcpu_kick(vm->vcpus[0]);
	return n;
}

bool vm_console_pending(struct vm *vm)
{
	return vm->con_in_head != vm->con_in_tail && vm->dev &&
	       uart16550_rx_space(&vm->dev->uart) > 0;
}

void vm_console_feed(struct vm *vm)
{
	irqflags_t f;

	if (vm->con_in_head == vm->con_in_tail)
		return;
	f = spin_lock_irqsave(&vm->lock);
	while (vm->con_in_head != vm->con_in_tail && uart16550_rx_space(&vm->dev->uart) &&
	       uart16550_rx(&vm->dev->uart, (u8)vm->con_in[vm->con_in_tail % sizeof(vm->con_in)]))
		vm->con_in_tail++;
	spin_unlock_irqrestore(&vm->lock, f);
}
