// SPDX-License-Identifier: MIT
/*
 * svm_check.c: why VMRUN refused a VMCB. SVM only says "invalid"; this walks
 * the consistency checks of the AMD APM (15.5.1) to name the broken rule.
 * Pure code, unit-tested on the host.
 */
#include "svm_check.h"

#define CR0_PE (1ull << 0)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_SVME (1ull << 12)
/* EFER bits defined by the APM; the rest must be zero. */
#define EFER_KNOWN (0x1ull | 0x100 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | \
		    (1ull << 17) | (1ull << 18) | (1ull << 20) | (1ull << 21))
/* CR4 bits a current CPU may have; reserved ones must be zero. */
#define CR4_KNOWN (0x1ffffffull & ~((1ull << 15) | (1ull << 19)))
#define ATTR_L (1u << 9)
#define ATTR_D (1u << 10)

const char *svm_check_state(const struct vmcb *vmcb)
{
	const struct vmcb_save *s = &vmcb->save;
	const struct vmcb_control *c = &vmcb->ctl;
	bool long_paging = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);

	if (!(s->efer & EFER_SVME))
		return "EFER.SVME is clear in the VMCB";
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return "CR0.NW set without CR0.CD";
	if (s->cr0 >> 32)
		return "CR0 bits 63:32 are not zero";
	if (long_paging && (s->cr3 >> 52))
		return "CR3 has bits set above bit 51 in long mode";
	if (s->cr4 & ~CR4_KNOWN)
		return "CR4 has reserved bits set";
	if (s->dr6 >> 32 || s->dr7 >> 32)
		return "DR6 or DR7 bits 63:32 are not zero";
	if (s->efer & ~EFER_KNOWN)
		return "EFER has reserved bits set";
	if (long_paging && !(s->cr4 & CR4_PAE))
		return "long mode paging without CR4.PAE";
	if (long_paging && !(s->cr0 & CR0_PE))
		return "long mode paging without CR0.PE";
	if (long_paging && (s->cr4 & CR4_PAE) && (s->cs.attrib & ATTR_L) && (s->cs.attrib & ATTR_D))
		return "CS.L and CS.D both set in long mode";
	if (!(c->intercept_misc2 & 1))
		return "the VMRUN intercept is not set";
	if (c->asid == 0)
		return "ASID 0 is the host's";
	if ((c->event_inj & (1ull << 31)) && ((c->event_inj >> 8) & 7) == 1)
		return "event injection of a reserved type";
	if ((c->event_inj & (1ull << 31)) && ((c->event_inj >> 8) & 7) == 3 &&
	    (c->event_inj & 0xff) == 2)
		return "event injection of exception vector 2 (NMI is its own type)";
	if (c->iopm_base_pa & 0xfff || c->msrpm_base_pa & 0xfff)
		return "I/O or MSR permission map not page aligned";
	return "no documented consistency check failed";
}
