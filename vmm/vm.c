// SPDX-License-Identifier: MIT
/*
 * vm.c: a VM's life: creation from a config (memory reservation, nested
 * paging, platform devices, vCPUs, guest loading), reset, stop,
 * destruction. Guest memory itself is vm_mem.c's.
 */
#include <stdarg.h>
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/guestboot.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/string.h>
#include "vmm_internal.h"

extern struct bootinfo boot_info;
static unsigned next_vm_id;

static const char *const exit_names[VMEXIT_NR] = {
	[VMEXIT_IO] = "io",          [VMEXIT_MMIO] = "mmio",         [VMEXIT_CPUID] = "cpuid",
	[VMEXIT_RDMSR] = "rdmsr",    [VMEXIT_WRMSR] = "wrmsr",       [VMEXIT_HLT] = "hlt",
	[VMEXIT_INTR] = "intr",      [VMEXIT_IRQ_WINDOW] = "irq-window",
	[VMEXIT_EXCEPTION] = "exception", [VMEXIT_XSETBV] = "xsetbv",
	[VMEXIT_CR_ACCESS] = "cr",   [VMEXIT_SHUTDOWN] = "shutdown", [VMEXIT_UD] = "ud",
	[VMEXIT_RAM] = "ram",        [VMEXIT_OTHER] = "other",
};

const char *vm_exit_name(enum vm_exit e)
{
	return e < VMEXIT_NR && exit_names[e] ? exit_names[e] : "?";
}

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_STATE_OFF: return "off";
	case VM_STATE_RUNNING: return "running";
	case VM_STATE_CRASHED: return "crashed";
	case VM_STATE_REFUSED: return "refused";
	}
	return "?";
}

static int gm_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	return vm_write(ctx, gpa, src, len);
}

static int gm_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	return vm_read(ctx, gpa, dst, len);
}

static int gm_zero(void *ctx, u64 gpa, u64 len)
{
	return vm_zero(ctx, gpa, len);
}

/* ---- loading ---- */

/*
 * Linux calibrates its TSC against the PIT or the PM timer with reads that
 * must each take a few microseconds; every such read is a VM exit, which
 * under emulation (or on a busy host) takes longer, and Linux then gives up
 * on the TSC. A Linux guest is therefore told the frequency, through a
 * standard kernel parameter, unless its config already says something.
 */
static void linux_cmdline(const struct vm *vm, const void *kernel, u64 len, char *out,
			  size_t size)
{
	const u8 *k = kernel;
	bool bzimage = len > 0x206 && k[0x202] == 'H' && k[0x203] == 'd' && k[0x204] == 'r' &&
		       k[0x205] == 'S';

	tv_strlcpy(out, vm->cfg.cmdline, size);
	if (bzimage && !strstr(out, "tsc_early_khz=") && arch_tsc_hz())
		snprintf(out + strlen(out), size - strlen(out), "%stsc_early_khz=%llu",
			 out[0] ? " " : "", (unsigned long long)(arch_tsc_hz() / 1000));
}

static int load_guest(struct vm *vm, char *why, size_t whylen)
{
	const struct bi_module *k = bootinfo_module(&boot_info, vm->cfg.kernel);
	const struct bi_module *i = vm->cfg.initrd[0] ? bootinfo_module(&boot_info, vm->cfg.initrd)
						      : NULL;
	struct gmem_ops m = { .ctx = vm, .write = gm_write, .read = gm_read, .zero = gm_zero };
	struct guest_boot_args a = {
		.ram_size = vm->ram_size,
		.ncpus = vm->nvcpus,
		.nvirtio = vm->nvirtio,
	};
	const size_t cmdline_size = CFG_MAX_VALUE + 64;
	char *cmdline;
	int r;

	if (!k || (vm->cfg.initrd[0] && !i)) {
		snprintf(why, whylen, "guest file missing from the boot modules");
		return -ENOENT;
	}
	/* Not static: VMs may be (re)loaded on several CPUs at once. */
	cmdline = kmalloc(cmdline_size);
	if (!cmdline) {
		snprintf(why, whylen, "out of host memory");
		return -ENOMEM;
	}
	a.kernel = phys_to_virt(k->base);
	a.kernel_len = k->size;
	if (i) {
		a.initrd = phys_to_virt(i->base);
		a.initrd_len = i->size;
	}
	linux_cmdline(vm, a.kernel, a.kernel_len, cmdline, cmdline_size);
	a.cmdline = cmdline;
	r = guest_boot_prepare(&a, &m, vm->boot, why, whylen);
	kfree(cmdline);
	if (r)
		return r;
	/* vCPU 0 loads vm->boot itself, on the CPU that runs it; the others wait for SIPI. */
	for (unsigned n = 0; n < vm->nvcpus; n++)
		vcpu_reset_common(vm->vcpus[n], n == 0);
	/* Guest TSC starts near zero, like a machine just switched on. */
	vm->tsc_offset = 0 - arch_cycles();
	return 0;
}

/* ---- lifecycle ---- */

struct vm *vm_create(const struct vm_config *cfg, char *why, size_t whylen, unsigned *why_line)
{
	u64 ram = cfg->memsize_mib << 20;
	struct vm *vm;
	int r;

	*why_line = 0;
	/* RAM is backed on first touch, but a VM larger than the host could never be backed. */
	if (ram > vm_ram_host_max()) {
		*why_line = cfg->memsize_line;
		snprintf(why, whylen, "memsize %llu MiB is more than the host's memory for guests (%llu MiB)",
			 (unsigned long long)cfg->memsize_mib,
			 (unsigned long long)(vm_ram_host_max() >> 20));
		return NULL;
	}
	vm = kzalloc(sizeof(*vm));
	if (!vm) {
		snprintf(why, whylen, "out of host memory");
		return NULL;
	}
	vm->cfg = *cfg;
	tv_strlcpy(vm->name, cfg->name, sizeof(vm->name));
	tv_strlcpy(vm->file, cfg->file, sizeof(vm->file));
	vm->id = next_vm_id++;
	vm->ram_size = ram;
	vm->nvcpus = cfg->numvcpus;
	vm->overhead_bytes = sizeof(*vm);
	vm->state = VM_STATE_REFUSED;

	vm->boot = kzalloc(sizeof(*vm->boot));
	if (!vm->boot) {
		snprintf(why, whylen, "out of host memory");
		goto fail;
	}
	vm->overhead_bytes += sizeof(*vm->boot);
	r = arch_vm_init(vm);
	if (r) {
		snprintf(why, whylen, "nested paging set-up failed (%d)", r);
		goto fail;
	}
	if (vm_ram_init(vm, why, whylen, why_line) || vm_console_init(vm) ||
	    vm_platform_init(vm, why, whylen) || vm_virtio_init(vm, why, whylen, why_line))
		goto fail;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (vcpu_create(vm, i)) {
			snprintf(why, whylen, "out of host memory for vCPU %u", i);
			goto fail;
		}
	}
	if (load_guest(vm, why, whylen))
		goto fail;
	vm->state = VM_STATE_RUNNING;
	vm->started_ns = arch_uptime_ns();
	vm->vcpus_queued = vm->nvcpus;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_add(vm->vcpus[i]);
	pr_info("vm %s: started: %llu MiB, %u vCPU, %s, overhead %llu KiB, %llu MB reserved\n",
		vm->name, (unsigned long long)cfg->memsize_mib, vm->nvcpus, arch_vmm_name(),
		(unsigned long long)(vm_overhead(vm) >> 10), (unsigned long long)cfg->mem_min_mib);
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

u64 vm_overhead(struct vm *vm)
{
	return vm->overhead_bytes + vm_ram_overhead(vm) + (vm->arch.vendor ? arch_vm_overhead(vm) : 0);
}

/*
 * Fault injection for tests (test.corrupt_vm=NAME): long mode without
 * CR4.PAE, a guest state no CPU enters. It makes the first VM entry fail
 * the way a VMM bug would, so tests see that only this VM stops and that
 * the reason names the broken rule.
 */
void vm_test_corrupt(struct vm *vm)
{
	pr_warn("vm %s: test.corrupt_vm: clearing CR4.PAE before the first entry\n", vm->name);
	vm->boot->cr4 &= ~GUEST_CR4_PAE;
}

void vm_log_exits(struct vm *vm)
{
	char line[256];
	int n = 0;
	u64 total = 0;

	line[0] = '\0';
	for (int e = 0; e < VMEXIT_NR; e++) {
		u64 c = 0;

		for (unsigned i = 0; i < vm->nvcpus; i++)
			if (vm->vcpus[i])
				c += vm->vcpus[i]->exits[e];
		total += c;
		if (c && n < (int)sizeof(line) - 32)
			n += snprintf(line + n, sizeof(line) - n, " %s=%llu", vm_exit_name(e),
				      (unsigned long long)c);
	}
	pr_info("vm %s: %llu exits:%s\n", vm->name, (unsigned long long)total, line);
}

void vm_kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i])
			vcpu_kick(vm->vcpus[i]);
}

void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...)
{
	enum vm_state running = VM_STATE_RUNNING;
	va_list ap;

	/* Two vCPUs may stop the VM at once (a crash here, a poweroff there): one wins. */
	if (!__atomic_compare_exchange_n(&vm->state, &running, state, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	va_start(ap, fmt);
	vsnprintf(vm->why, sizeof(vm->why), fmt, ap);
	va_end(ap);
	WRITE_ONCE(vm->stop_requested, true);
	/* Siblings in the guest leave it; the scheduler releases the memory after the last. */
	vm_kick_all(vm);
	vm_console_flush(vm);
	pr_info("vm %s: %s (%s) after %llu ms\n", vm->name, vm_state_name(state), vm->why,
		(unsigned long long)((arch_uptime_ns() - vm->started_ns) / 1000000));
	vm_log_exits(vm);
	vm_virtio_log(vm);
	/* Often called from a device callback under vm->lock: cleanup waits for the release. */
}

/*
 * The guest's reset, performed while every vCPU of the VM is parked
 * outside vcpu_run: no sibling runs in the memory being cleared or reads a
 * device being reset. Nothing of a vCPU's backend state is touched here
 * (it may belong to another CPU); vCPU 0 loads its boot state itself.
 */
int vm_reset(struct vm *vm)
{
	char why[128];
	int r;

	pr_info("vm %s: reset requested by the guest; restarting\n", vm->name);
	vm_timers_cancel_all(vm);
	vm_ram_zero(vm);
	vm_platform_reset(vm);
	r = load_guest(vm, why, sizeof(why));
	if (r)
		vm_stop(vm, VM_STATE_CRASHED, "reload after reset failed: %s", why);
	return r;
}

void vm_request_reset(struct vm *vm)
{
	WRITE_ONCE(vm->reset_requested, true);
	vm_kick_all(vm);
}

/* The rendezvous is complete (run_lock held): should the caller perform the reset? */
static bool take_reset(struct vm *vm)
{
	if (!vm->reset_requested || vm->in_run || vm->resetting ||
	    vm->state != VM_STATE_RUNNING)
		return false;
	vm->resetting = true;
	return true;
}

static void perform_reset(struct vm *vm)
{
	irqflags_t f;

	vm_reset(vm);
	f = spin_lock_irqsave(&vm->run_lock);
	vm->resetting = false;
	WRITE_ONCE(vm->reset_requested, false);
	spin_unlock_irqrestore(&vm->run_lock, f);
	vm_kick_all(vm);
}

bool vm_run_begin(struct vcpu *v)
{
	struct vm *vm = v->vm;
	irqflags_t f = spin_lock_irqsave(&vm->run_lock);
	bool reset;

	if (!vm->reset_requested) {
		vm->in_run++;
		spin_unlock_irqrestore(&vm->run_lock, f);
		return true;
	}
	reset = take_reset(vm);
	spin_unlock_irqrestore(&vm->run_lock, f);
	if (reset)
		perform_reset(vm);
	return false;
}

void vm_run_end(struct vcpu *v)
{
	struct vm *vm = v->vm;
	irqflags_t f = spin_lock_irqsave(&vm->run_lock);
	bool reset;

	vm->in_run--;
	reset = take_reset(vm);
	spin_unlock_irqrestore(&vm->run_lock, f);
	if (reset)
		perform_reset(vm);
}

bool vm_reset_waits_for_runner(struct vm *vm)
{
	return !READ_ONCE(vm->in_run) && !READ_ONCE(vm->resetting);
}

void vm_destroy(struct vm *vm)
{
	/* Only VMs that never ran: a running one is released by vm_release_if_idle. */
	if (vm->ktimer.fn)
		vm_timers_cancel_all(vm); /* a device model may have armed one at set-up */
	/* First off the vSwitch: a frame for a NIC of this VM kicks its vCPU 0. */
	vm_virtio_free(vm);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
	vm_platform_free(vm);
	vm_bus_free(vm);
	if (vm->arch.vendor)
		arch_vm_destroy(vm);
	vm_ram_free(vm);
	vm_console_free(vm);
	kfree(vm->boot);
	kfree(vm);
}

/*
 * The scheduler dropped a vCPU of a stopped VM. Once none is left, give the
 * memory back; the VM object stays so its state and reason can be shown.
 */
void vm_release_if_idle(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u64 granted;

	/* The scheduler may release sibling vCPUs on several CPUs at once. */
	if (__atomic_sub_fetch(&vm->vcpus_queued, 1, __ATOMIC_ACQ_REL))
		return;
	ASSERT(!READ_ONCE(vm->in_run));
	vm_timers_cancel_all(vm);
	vm_log_memory(vm);      /* its last figures, overhead included */
	/* First off the vSwitch: a frame for a NIC of this VM kicks its vCPU 0. */
	vm_virtio_free(vm);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
	vm_platform_free(vm);
	vm_bus_free(vm);
	arch_vm_destroy(vm);
	granted = vm_ram_backed_peak(vm);
	vm_ram_free(vm);
	kfree(vm->boot);
	vm->boot = NULL;
	pr_info("vm %s: memory released: %llu of its %llu MiB had been backed (%llu MiB free on "
		"the host)\n", vm->name, (unsigned long long)(granted >> 20),
		(unsigned long long)(vm->ram_size >> 20), (unsigned long long)(pmm_free_bytes() >> 20));
}
