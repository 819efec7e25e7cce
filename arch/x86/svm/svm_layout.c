// SPDX-License-Identifier: MIT
/* svm_layout.c: compile-time checks that struct vmcb matches the AMD APM, in one place. */
#include "vmcb.h"

#define AT(field, off) _Static_assert(__builtin_offsetof(struct vmcb, field) == (off), \
				      "VMCB offset of " #field)

AT(ctl.intercept_cr, 0x000);
AT(ctl.intercept_exceptions, 0x008);
AT(ctl.intercept_misc1, 0x00c);
AT(ctl.intercept_misc2, 0x010);
AT(ctl.pause_filter_thresh, 0x03c);
AT(ctl.iopm_base_pa, 0x040);
AT(ctl.msrpm_base_pa, 0x048);
AT(ctl.tsc_offset, 0x050);
AT(ctl.asid, 0x058);
AT(ctl.tlb_control, 0x05c);
AT(ctl.int_ctl, 0x060);
AT(ctl.int_state, 0x068);
AT(ctl.exit_code, 0x070);
AT(ctl.exit_info1, 0x078);
AT(ctl.exit_info2, 0x080);
AT(ctl.exit_int_info, 0x088);
AT(ctl.np_enable, 0x090);
AT(ctl.event_inj, 0x0a8);
AT(ctl.n_cr3, 0x0b0);
AT(ctl.clean_bits, 0x0c0);
AT(ctl.next_rip, 0x0c8);
AT(ctl.insn_len, 0x0d0);
AT(save.es, 0x400);
AT(save.cs, 0x410);
AT(save.ss, 0x420);
AT(save.ds, 0x430);
AT(save.fs, 0x440);
AT(save.gs, 0x450);
AT(save.gdtr, 0x460);
AT(save.ldtr, 0x470);
AT(save.idtr, 0x480);
AT(save.tr, 0x490);
AT(save.cpl, 0x4cb);
AT(save.efer, 0x4d0);
AT(save.cr4, 0x548);
AT(save.cr3, 0x550);
AT(save.cr0, 0x558);
AT(save.dr7, 0x560);
AT(save.dr6, 0x568);
AT(save.rflags, 0x570);
AT(save.rip, 0x578);
AT(save.rsp, 0x5d8);
AT(save.rax, 0x5f8);
AT(save.star, 0x600);
AT(save.lstar, 0x608);
AT(save.cstar, 0x610);
AT(save.sfmask, 0x618);
AT(save.kernel_gs_base, 0x620);
AT(save.sysenter_cs, 0x628);
AT(save.sysenter_eip, 0x638);
AT(save.cr2, 0x640);
AT(save.g_pat, 0x668);
AT(save.dbgctl, 0x670);
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment size");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area size");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB size");
