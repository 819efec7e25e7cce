// SPDX-License-Identifier: MIT
/* power.c: host reset and soft-off through ACPI fixed hardware. */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/log.h>
#include <tv/power.h>

#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1u << 13)

static void delay_ms(unsigned ms)
{
	u64 hz = arch_tsc_hz(), t0 = arch_cycles();

	if (!hz)
		hz = 1000000000ull; /* before calibration: about right on current CPUs */
	while (arch_cycles() - t0 < hz / 1000 * ms)
		arch_pause();
}

static bool gas_io(const struct acpi_gas *g)
{
	return g->address && g->space == ACPI_GAS_IO && g->address < 0x10000;
}

static void gas_write(const struct acpi_gas *g, unsigned width, u32 v)
{
	if (gas_io(g)) {
		arch_io_write((u16)g->address, width, v);
	} else if (g->address && g->space == ACPI_GAS_MEMORY) {
		volatile u8 *p = arch_ioremap(g->address, width / 8, false);

		if (!p)
			return;
		if (width == 8)
			*p = (u8)v;
		else if (width == 16)
			*(volatile u16 *)p = (u16)v;
		else
			*(volatile u32 *)p = v;
	}
}

/* Firmware may leave the machine in legacy mode; SLP_EN only works in ACPI mode. */
static void acpi_enable_mode(const struct acpi_info *ai)
{
	if (!gas_io(&ai->pm1a_cnt) || ai->hw_reduced)
		return;
	if (arch_io_read((u16)ai->pm1a_cnt.address, 16) & PM1_SCI_EN)
		return;
	if (!ai->smi_cmd || !ai->acpi_enable || ai->smi_cmd > 0xffff)
		return;
	arch_io_write((u16)ai->smi_cmd, 8, ai->acpi_enable);
	for (int i = 0; i < 300; i++) {
		if (arch_io_read((u16)ai->pm1a_cnt.address, 16) & PM1_SCI_EN)
			return;
		delay_ms(10);
	}
}

void power_off(void)
{
	const struct acpi_info *ai = acpi_host();

	arch_irq_disable();
	if (ai && ai->has_s5 && ai->pm1a_cnt.address) {
		pr_info("power: ACPI S5 soft-off\n");
		acpi_enable_mode(ai);
		gas_write(&ai->pm1a_cnt, 16, (u32)ai->s5_typ_a << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
		if (ai->pm1b_cnt.address)
			gas_write(&ai->pm1b_cnt, 16,
				  (u32)ai->s5_typ_b << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
		delay_ms(1000);
		pr_err("power: still running one second after S5; halting instead\n");
	} else {
		pr_err("power: no ACPI S5 information; halting instead of powering off\n");
	}
	arch_halt_forever();
}

void power_reset(void)
{
	const struct acpi_info *ai = acpi_host();

	arch_irq_disable();
	if (ai && ai->reset_supported && ai->reset_reg.address) {
		pr_info("power: ACPI reset\n");
		gas_write(&ai->reset_reg, 8, ai->reset_value);
		delay_ms(500);
	}
	pr_info("power: legacy reset\n");
	arch_reset_fallback();
}
