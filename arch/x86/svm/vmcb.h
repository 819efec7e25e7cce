/* SPDX-License-Identifier: MIT */
/*
 * vmcb.h: the AMD-V virtual machine control block (AMD APM vol. 2,
 * appendix B), its intercept bits, exit codes and event encodings. Private
 * to arch/x86/svm/. Every offset is checked at compile time in svm_layout.c.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <tv/compiler.h>
#include <tv/types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib;              /* descriptor bits 40-47 and 52-55 packed into 12 bits */
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;        /* 0x000: bits 0-15 reads, 16-31 writes */
	u32 intercept_dr;        /* 0x004 */
	u32 intercept_exceptions;/* 0x008 */
	u32 intercept_misc1;     /* 0x00c: SVM_INTERCEPT1_* */
	u32 intercept_misc2;     /* 0x010: SVM_INTERCEPT2_* */
	u32 intercept_misc3;     /* 0x014 */
	u8 reserved1[0x03c - 0x018];
	u16 pause_filter_thresh; /* 0x03c */
	u16 pause_filter_count;  /* 0x03e */
	u64 iopm_base_pa;        /* 0x040 */
	u64 msrpm_base_pa;       /* 0x048 */
	u64 tsc_offset;          /* 0x050 */
	u32 asid;                /* 0x058 */
	u8 tlb_control;          /* 0x05c */
	u8 reserved2[3];
	u64 int_ctl;             /* 0x060: V_TPR, V_IRQ, V_INTR_* */
	u64 int_state;           /* 0x068: interrupt shadow */
	u64 exit_code;           /* 0x070 */
	u64 exit_info1;          /* 0x078 */
	u64 exit_info2;          /* 0x080 */
	u64 exit_int_info;       /* 0x088 */
	u64 np_enable;           /* 0x090 */
	u64 avic_apic_bar;       /* 0x098 */
	u64 ghcb_pa;             /* 0x0a0 */
	u64 event_inj;           /* 0x0a8 */
	u64 n_cr3;               /* 0x0b0 */
	u64 virt_ext;            /* 0x0b8: LBR virtualization, VMLOAD/VMSAVE virtualization */
	u32 clean_bits;          /* 0x0c0 */
	u32 reserved3;
	u64 next_rip;            /* 0x0c8: only with the NRIP save feature */
	u8 insn_len;             /* 0x0d0: only with decode assists */
	u8 insn_bytes[15];       /* 0x0d1 */
	u8 reserved4[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_seg es;      /* 0x400 */
	struct vmcb_seg cs;      /* 0x410 */
	struct vmcb_seg ss;      /* 0x420 */
	struct vmcb_seg ds;      /* 0x430 */
	struct vmcb_seg fs;      /* 0x440 */
	struct vmcb_seg gs;      /* 0x450 */
	struct vmcb_seg gdtr;    /* 0x460 */
	struct vmcb_seg ldtr;    /* 0x470 */
	struct vmcb_seg idtr;    /* 0x480 */
	struct vmcb_seg tr;      /* 0x490 */
	u8 reserved1[0x4cb - 0x4a0];
	u8 cpl;                  /* 0x4cb */
	u32 reserved2;
	u64 efer;                /* 0x4d0 */
	u8 reserved3[0x548 - 0x4d8];
	u64 cr4;                 /* 0x548 */
	u64 cr3;                 /* 0x550 */
	u64 cr0;                 /* 0x558 */
	u64 dr7;                 /* 0x560 */
	u64 dr6;                 /* 0x568 */
	u64 rflags;              /* 0x570 */
	u64 rip;                 /* 0x578 */
	u8 reserved4[0x5d8 - 0x580];
	u64 rsp;                 /* 0x5d8 */
	u64 s_cet;               /* 0x5e0 */
	u64 ssp;                 /* 0x5e8 */
	u64 isst_addr;           /* 0x5f0 */
	u64 rax;                 /* 0x5f8 */
	u64 star;                /* 0x600 */
	u64 lstar;               /* 0x608 */
	u64 cstar;               /* 0x610 */
	u64 sfmask;              /* 0x618 */
	u64 kernel_gs_base;      /* 0x620 */
	u64 sysenter_cs;         /* 0x628 */
	u64 sysenter_esp;        /* 0x630 */
	u64 sysenter_eip;        /* 0x638 */
	u64 cr2;                 /* 0x640 */
	u8 reserved5[0x668 - 0x648];
	u64 g_pat;               /* 0x668 */
	u64 dbgctl;              /* 0x670 */
	u64 br_from;             /* 0x678 */
	u64 br_to;               /* 0x680 */
	u64 last_excp_from;      /* 0x688 */
	u64 last_excp_to;        /* 0x690 */
	u8 reserved6[0x1000 - 0x698];
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

/* intercept_misc1 */
#define SVM_INTERCEPT1_INTR (1u << 0)
#define SVM_INTERCEPT1_NMI (1u << 1)
#define SVM_INTERCEPT1_SMI (1u << 2)
#define SVM_INTERCEPT1_INIT (1u << 3)
#define SVM_INTERCEPT1_VINTR (1u << 4)
#define SVM_INTERCEPT1_RDPMC (1u << 15)
#define SVM_INTERCEPT1_CPUID (1u << 18)
#define SVM_INTERCEPT1_RSM (1u << 19)
#define SVM_INTERCEPT1_IRET (1u << 20)
#define SVM_INTERCEPT1_INVD (1u << 22)
#define SVM_INTERCEPT1_HLT (1u << 24)
#define SVM_INTERCEPT1_INVLPGA (1u << 26)
#define SVM_INTERCEPT1_IOIO (1u << 27)
#define SVM_INTERCEPT1_MSR (1u << 28)
#define SVM_INTERCEPT1_TASK_SWITCH (1u << 29)
#define SVM_INTERCEPT1_FERR_FREEZE (1u << 30)
#define SVM_INTERCEPT1_SHUTDOWN (1u << 31)

/* intercept_misc2 */
#define SVM_INTERCEPT2_VMRUN (1u << 0)
#define SVM_INTERCEPT2_VMMCALL (1u << 1)
#define SVM_INTERCEPT2_VMLOAD (1u << 2)
#define SVM_INTERCEPT2_VMSAVE (1u << 3)
#define SVM_INTERCEPT2_STGI (1u << 4)
#define SVM_INTERCEPT2_CLGI (1u << 5)
#define SVM_INTERCEPT2_SKINIT (1u << 6)
#define SVM_INTERCEPT2_RDTSCP (1u << 7)
#define SVM_INTERCEPT2_ICEBP (1u << 8)
#define SVM_INTERCEPT2_WBINVD (1u << 9)
#define SVM_INTERCEPT2_MONITOR (1u << 10)
#define SVM_INTERCEPT2_MWAIT (1u << 11)
#define SVM_INTERCEPT2_MWAIT_COND (1u << 12)
#define SVM_INTERCEPT2_XSETBV (1u << 13)
#define SVM_INTERCEPT2_RDPRU (1u << 14)

/* int_ctl */
#define SVM_INT_V_TPR_MASK 0xfull
#define SVM_INT_V_IRQ (1ull << 8)
#define SVM_INT_V_INTR_PRIO_SHIFT 16
#define SVM_INT_V_IGN_TPR (1ull << 20)
#define SVM_INT_V_INTR_MASKING (1ull << 24)
#define SVM_INT_V_INTR_VECTOR_SHIFT 32

#define SVM_INT_STATE_SHADOW (1ull << 0)
#define SVM_NP_ENABLE (1ull << 0)
#define SVM_TLB_CONTROL_NONE 0
#define SVM_TLB_CONTROL_FLUSH_ALL 1

/* event_inj and exit_int_info */
#define SVM_EVT_VECTOR_MASK 0xffull
#define SVM_EVT_TYPE_INTR (0ull << 8)
#define SVM_EVT_TYPE_NMI (2ull << 8)
#define SVM_EVT_TYPE_EXCEPTION (3ull << 8)
#define SVM_EVT_TYPE_SOFT_INT (4ull << 8)
#define SVM_EVT_TYPE_MASK (7ull << 8)
#define SVM_EVT_ERR_VALID (1ull << 11)
#define SVM_EVT_VALID (1ull << 31)

/* IOIO exit_info1 */
#define SVM_IOIO_IN (1ull << 0)
#define SVM_IOIO_STR (1ull << 2)
#define SVM_IOIO_REP (1ull << 3)
#define SVM_IOIO_SIZE_SHIFT 4      /* bits 4-6: one-hot 8/16/32 */
#define SVM_IOIO_ADDR_SHIFT 7      /* bits 7-9: one-hot 16/32/64 */
#define SVM_IOIO_SEG_SHIFT 10
#define SVM_IOIO_PORT_SHIFT 16

/* NPF exit_info1 */
#define SVM_NPF_PRESENT (1ull << 0)
#define SVM_NPF_WRITE (1ull << 1)
#define SVM_NPF_USER (1ull << 2)
#define SVM_NPF_RSVD (1ull << 3)
#define SVM_NPF_FETCH (1ull << 4)
#define SVM_NPF_GUEST_PAGE (1ull << 32)
#define SVM_NPF_GUEST_TABLE (1ull << 33)

/* Exit codes (AMD APM vol. 2, appendix C) */
#define SVM_EXIT_READ_CR0 0x000
#define SVM_EXIT_WRITE_CR0 0x010
#define SVM_EXIT_WRITE_CR8 0x018
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_RDPMC 0x06f
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_RSM 0x073
#define SVM_EXIT_IRET 0x074
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_PAUSE 0x077
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_TASK_SWITCH 0x07d
#define SVM_EXIT_FERR_FREEZE 0x07e
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_RDTSCP 0x087
#define SVM_EXIT_ICEBP 0x088
#define SVM_EXIT_WBINVD 0x089
#define SVM_EXIT_MONITOR 0x08a
#define SVM_EXIT_MWAIT 0x08b
#define SVM_EXIT_MWAIT_COND 0x08c
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_RDPRU 0x08e
#define SVM_EXIT_NR 0x090          /* size of the dispatch table below NPF */
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID ((u64)-1)

#endif
