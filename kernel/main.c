// SPDX-License-Identifier: MIT
/*
 * main.c: kmain, where both boot paths arrive (contract in tv/boot.h).
 * Brings up the core in dependency order: CPU state, serial log, boot info,
 * frame allocator, own page tables, consoles, ACPI, interrupts, timer.
 */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/bootinfo.h>
#include <tv/cmdline.h>
#include <tv/datastore.h>
#include <tv/dcui_host.h>
#include <tv/drivers.h>
#include <tv/efivar.h>
#include <tv/log.h>
#include <tv/mgmt.h>
#include <tv/netdev.h>
#include <tv/netprobe.h>
#include <tv/nvme.h>
#include <tv/pci.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/power.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/string.h>
#include <tv/vms.h>
#include <tv/vswitch_host.h>

#define TICK_HZ 100

struct bootinfo boot_info;

void __noreturn kmain(paddr_t fdt_pa, u64 magic, paddr_t kernel_phys);

/* A named frame for the panic screen's backtrace. */
static void __attribute__((noinline)) debug_trigger_pagefault(void)
{
	pr_warn("debug: debug.pagefault given: writing to an unmapped address\n");
	*(volatile u64 *)(uintptr_t)0xdead0000ull = 1;
}

static void read_options(const struct bootinfo *bi)
{
	const char *s = bootinfo_setting(bi, "kernel.cmdline");
	const char *lvl;

	cmdline_add(bi->cmdline);
	if (s)
		cmdline_add(s);
	lvl = cmdline_get("loglevel");
	if (lvl && lvl[0] >= '0' && lvl[0] <= '3')
		log_set_level((enum log_level)(lvl[0] - '0'));
	if (cmdline_overflowed())
		pr_warn("cmdline: options beyond %u bytes ignored\n", CMDLINE_MAX);
	pr_info("cmdline: %s\n", cmdline_all());
	for (int i = 0; bootinfo_setting_error(bi, i); i++)
		pr_warn("settings: %s: %s (line ignored)\n", BI_SETTINGS_NAME,
			bootinfo_setting_error(bi, i));
}

static void banner(const struct bootinfo *bi)
{
	const struct acpi_info *ai = acpi_host();
	struct virt_info vi;
	char cpu[128];
	u64 ram = 0;
	unsigned enabled = 0, nvms = 0;

	for (size_t i = 0; i < bi->nregions; i++)
		if (bi->regions[i].type <= BI_MEM_PERSISTENT)
			ram += bi->regions[i].size;
	arch_cpu_describe(cpu, sizeof(cpu));
	arch_virt_detect(&vi);
	pr_info("==== thinvisor %s ====\n", TV_VERSION);
	pr_info("cpu: %s\n", cpu);
	if (ai) {
		char ids[96];
		int n = 0;

		ids[0] = '\0';
		for (unsigned i = 0; i < ai->ncpus; i++) {
			if (!ai->cpus[i].enabled)
				continue;
			enabled++;
			if (n < (int)sizeof(ids) - 12)
				n += snprintf(ids + n, sizeof(ids) - n, " %u", ai->cpus[i].apic_id);
		}
		pr_info("cpus: %u found in the ACPI MADT (APIC IDs%s)\n", enabled, ids);
	} else {
		pr_warn("cpus: no ACPI MADT; only the boot CPU is known\n");
	}
	pr_info("memory: %llu MiB RAM, %llu MiB usable, %llu MiB free\n",
		(unsigned long long)(ram >> 20), (unsigned long long)(bootinfo_usable_bytes(bi) >> 20),
		(unsigned long long)(pmm_free_bytes() >> 20));
	if (vi.kind == VIRT_NONE)
		pr_err("virtualization: none: %s\n", vi.detail);
	else
		pr_info("virtualization: %s %s: %s\n", vi.kind == VIRT_VMX ? "Intel VT-x" : "AMD-V",
			vi.usable ? "present" : "UNUSABLE", vi.detail);
	for (size_t i = 0; i < bi->nmodules; i++)
		if (strcmp(bi->modules[i].kind, BI_KIND_VMCONFIG) == 0)
			nvms++;
	pr_info("boot: %s loader, kernel at %#llx, %zu files from the stick, %u VM configs\n",
		bi->loader, (unsigned long long)bi->kernel_phys, bi->nmodules, nvms);
	if (bi->loader_tsc)
		pr_info("boot: %llu TSC cycles from loader entry to banner\n",
			(unsigned long long)(arch_cycles() - bi->loader_tsc));
}

/* test.boot: show that the tick runs at the rate asked for, then power off. */
static void boot_selftest(void)
{
	u64 t0 = arch_uptime_ns(), ticks0 = arch_ticks(), ns;

	while (arch_ticks() - ticks0 < TICK_HZ / 2)
		arch_wait_for_interrupt();
	ns = arch_uptime_ns() - t0;
	pr_info("timer: %llu ticks in %llu ms\n", (unsigned long long)(arch_ticks() - ticks0),
		(unsigned long long)(ns / 1000000));
	pr_info("test.boot: done, powering off\n");
	power_off();
}

/* Host PCI, NVMe and the datastores on it; test.blk checks them. */
static void storage_init(void)
{
	char spec[96];
	const char *s;

	pci_init();
	nvme_init();
	datastore_init();
	s = cmdline_get("test.blk");
	if (s) {
		tv_strlcpy(spec, s, sizeof(spec));
		datastore_selftest(spec);
	}
}

static bool vmm_ready;
static unsigned vmm_cpus;

/* Each application processor, set up by arch_smp_start, before the next one starts. */
static void ap_setup(void)
{
	char why[128];

	if (!vmm_ready)
		return;
	if (arch_vmm_cpu_enable(why, sizeof(why))) {
		pr_err("cpu %u: virtualization unusable: %s; it runs no vCPUs\n", arch_cpu_id(), why);
		return;
	}
	vmm_cpus++;
	sched_cpu_add(arch_cpu_id());
}

void kmain(paddr_t fdt_pa, u64 magic, paddr_t kernel_phys)
{
	static char why_novmm[128];
	const char *why;
	unsigned ncpus;
	int r;

	kernel_phys_base = kernel_phys;
	arch_early_init();
	uart_init();
	pr_info("thinvisor %s: kernel entered\n", TV_VERSION);
	if (magic != BOOT_MAGIC)
		panic("kmain: entered without the boot magic (%#llx)", (unsigned long long)magic);
	if (bootinfo_parse(phys_to_virt(fdt_pa), &boot_info, &why))
		panic("kmain: boot info unusable: %s", why);
	read_options(&boot_info);
	if (pmm_init(&boot_info, boot_info.boot_mapped_top))
		panic("kmain: no room for the frame allocator's bitmap");
	arch_paging_init(&boot_info);
	if (efivar_init(&boot_info, &why))
		pr_info("efivar: UEFI runtime services usable (variables persist)\n");
	else
		pr_info("efivar: %s; settings will not persist\n", why);
	if (boot_info.has_fb && !cmdline_flag("nofb") && fbcon_init(&boot_info.fb))
		pr_warn("fbcon: framebuffer console unavailable\n");
	if (acpi_init(boot_info.acpi_rsdp))
		pr_warn("acpi: continuing without ACPI: one CPU, no poweroff\n");
	if (cmdline_flag("acpi.dump"))
		acpi_dump();
	r = arch_irq_init();
	if (r)
		pr_warn("irq: no I/O APIC (%d); device interrupts unavailable\n", r);
	r = arch_timer_init(TICK_HZ);
	if (r)
		panic("kmain: no usable timer (%d)", r);
	arch_irq_enable();
	if (cmdline_flag("test.vmx_locked_off"))
		arch_virt_test_lock_off();
	banner(&boot_info);
	if (cmdline_flag("debug.pagefault"))
		debug_trigger_pagefault();
	storage_init();
	netdev_init();
	if (cmdline_flag("test.net"))
		netprobe_selftest();
	if (cmdline_flag("test.net.loop"))
		netprobe_looptest();
	if (cmdline_flag("test.boot"))
		boot_selftest();
	rtc_init();
	arch_fpu_init();
	if (cmdline_get("test.efivar"))
		efivar_selftest(cmdline_get("test.efivar")); /* after FPU init: the XSAVE path */
	vmm_ready = arch_vmm_init(why_novmm, sizeof(why_novmm)) == 0;
	if (vmm_ready)
		vmm_cpus = 1;
	if (vmm_ready)
		sched_cpu_add(0);
	ncpus = arch_smp_start(ap_setup, sched_run);
	if (cmdline_flag("test.smp")) {
		char msg[160];

		if (arch_smp_selftest(msg, sizeof(msg)))
			pr_err("test.smp: FAIL: %s\n", msg);
		else
			pr_info("test.smp: PASS: %s\n", msg);
	}
	if (vmm_ready)
		pr_info("vmm: %s ready on %u of %u CPUs\n", arch_vmm_name(),
			vmm_cpus, ncpus);
	else
		pr_err("vmm: VMs cannot run: %s\n", why_novmm);
	if (cmdline_flag("bench.sched"))
		sched_bench();
	vswitch_host_init(&boot_info);
	host_settings_init(&boot_info);
	mgmt_init(host_settings());
	vms_start_all(&boot_info, vmm_ready, why_novmm);
	if (uart_enable_rx_irq())
		pr_warn("console: no serial input interrupt; typed input is polled\n");
	kbd_init();
	if (cmdline_flag("test.kbd"))
		kbd_selftest();
	dcui_start(ncpus, vmm_cpus, cmdline_get("console.attach"));
	sched_run();
}

bool sched_idle_hook(void)
{
	/* Tests end the machine once every VM has stopped. */
	if (cmdline_flag("test.poweroff_idle") && sched_running_vms() == 0) {
		pr_info("test.poweroff_idle: no VM left running, powering off\n");
		power_off();
	}
	return false;
}
