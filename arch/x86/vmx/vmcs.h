/* SPDX-License-Identifier: MIT */
/*
 * vmcs.h: VMCS field encodings (Intel SDM Vol. 3, Appendix B) and typed
 * accessors. An encoding carries its width in bits 14:13 and its kind in
 * bits 11:10; each field below is listed under the width the SDM gives it,
 * and a compile-time check (vmx_layout.c) holds every encoding to its list.
 * vmcs_read32(GUEST_RIP) fails to compile: the accessors check the width.
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include <tv/types.h>

/* Encoding bits 14:13. */
#define VMCS_W16 0
#define VMCS_W64 1
#define VMCS_W32 2
#define VMCS_WNAT 3
#define VMCS_WIDTH(f) (((unsigned)(f) >> 13) & 3)

/* Bits 11:10: control, read-only data (exit information), guest state, host state. */
#define VMCS_KIND_CTL 0
#define VMCS_KIND_RO 1
#define VMCS_KIND_GUEST 2
#define VMCS_KIND_HOST 3
#define VMCS_KIND(f) (((unsigned)(f) >> 10) & 3)

#define VMCS_FIELDS_16(X)                                                                  \
	X(VIRTUAL_PROCESSOR_ID, 0x0000)                                                    \
	X(GUEST_ES_SELECTOR, 0x0800)                                                       \
	X(GUEST_CS_SELECTOR, 0x0802)                                                       \
	X(GUEST_SS_SELECTOR, 0x0804)                                                       \
	X(GUEST_DS_SELECTOR, 0x0806)                                                       \
	X(GUEST_FS_SELECTOR, 0x0808)                                                       \
	X(GUEST_GS_SELECTOR, 0x080a)                                                       \
	X(GUEST_LDTR_SELECTOR, 0x080c)                                                     \
	X(GUEST_TR_SELECTOR, 0x080e)                                                       \
	X(HOST_ES_SELECTOR, 0x0c00)                                                        \
	X(HOST_CS_SELECTOR, 0x0c02)                                                        \
	X(HOST_SS_SELECTOR, 0x0c04)                                                        \
	X(HOST_DS_SELECTOR, 0x0c06)                                                        \
	X(HOST_FS_SELECTOR, 0x0c08)                                                        \
	X(HOST_GS_SELECTOR, 0x0c0a)                                                        \
	X(HOST_TR_SELECTOR, 0x0c0c)

#define VMCS_FIELDS_64(X)                                                                  \
	X(IO_BITMAP_A, 0x2000)                                                             \
	X(IO_BITMAP_B, 0x2002)                                                             \
	X(MSR_BITMAP, 0x2004)                                                              \
	X(VM_EXIT_MSR_STORE_ADDR, 0x2006)                                                  \
	X(VM_EXIT_MSR_LOAD_ADDR, 0x2008)                                                   \
	X(VM_ENTRY_MSR_LOAD_ADDR, 0x200a)                                                  \
	X(TSC_OFFSET, 0x2010)                                                              \
	X(VIRTUAL_APIC_PAGE_ADDR, 0x2012)                                                  \
	X(APIC_ACCESS_ADDR, 0x2014)                                                        \
	X(EPT_POINTER, 0x201a)                                                             \
	X(GUEST_PHYSICAL_ADDRESS, 0x2400)                                                  \
	X(VMCS_LINK_POINTER, 0x2800)                                                       \
	X(GUEST_IA32_DEBUGCTL, 0x2802)                                                     \
	X(GUEST_IA32_PAT, 0x2804)                                                          \
	X(GUEST_IA32_EFER, 0x2806)                                                         \
	X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808)                                             \
	X(GUEST_PDPTE0, 0x280a)                                                            \
	X(GUEST_PDPTE1, 0x280c)                                                            \
	X(GUEST_PDPTE2, 0x280e)                                                            \
	X(GUEST_PDPTE3, 0x2810)                                                            \
	X(HOST_IA32_PAT, 0x2c00)                                                           \
	X(HOST_IA32_EFER, 0x2c02)                                                          \
	X(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04)

#define VMCS_FIELDS_32(X)                                                                  \
	X(PIN_BASED_VM_EXEC_CONTROL, 0x4000)                                               \
	X(CPU_BASED_VM_EXEC_CONTROL, 0x4002)                                               \
	X(EXCEPTION_BITMAP, 0x4004)                                                        \
	X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006)                                              \
	X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008)                                             \
	X(CR3_TARGET_COUNT, 0x400a)                                                        \
	X(VM_EXIT_CONTROLS, 0x400c)                                                        \
	X(VM_EXIT_MSR_STORE_COUNT, 0x400e)                                                 \
	X(VM_EXIT_MSR_LOAD_COUNT, 0x4010)                                                  \
	X(VM_ENTRY_CONTROLS, 0x4012)                                                       \
	X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014)                                                 \
	X(VM_ENTRY_INTR_INFO, 0x4016)                                                      \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018)                                           \
	X(VM_ENTRY_INSTRUCTION_LEN, 0x401a)                                                \
	X(TPR_THRESHOLD, 0x401c)                                                           \
	X(SECONDARY_VM_EXEC_CONTROL, 0x401e)                                               \
	X(VM_INSTRUCTION_ERROR, 0x4400)                                                    \
	X(VM_EXIT_REASON, 0x4402)                                                          \
	X(VM_EXIT_INTR_INFO, 0x4404)                                                       \
	X(VM_EXIT_INTR_ERROR_CODE, 0x4406)                                                 \
	X(IDT_VECTORING_INFO, 0x4408)                                                      \
	X(IDT_VECTORING_ERROR_CODE, 0x440a)                                                \
	X(VM_EXIT_INSTRUCTION_LEN, 0x440c)                                                 \
	X(VMX_INSTRUCTION_INFO, 0x440e)                                                    \
	X(GUEST_ES_LIMIT, 0x4800)                                                          \
	X(GUEST_CS_LIMIT, 0x4802)                                                          \
	X(GUEST_SS_LIMIT, 0x4804)                                                          \
	X(GUEST_DS_LIMIT, 0x4806)                                                          \
	X(GUEST_FS_LIMIT, 0x4808)                                                          \
	X(GUEST_GS_LIMIT, 0x480a)                                                          \
	X(GUEST_LDTR_LIMIT, 0x480c)                                                        \
	X(GUEST_TR_LIMIT, 0x480e)                                                          \
	X(GUEST_GDTR_LIMIT, 0x4810)                                                        \
	X(GUEST_IDTR_LIMIT, 0x4812)                                                        \
	X(GUEST_ES_AR_BYTES, 0x4814)                                                       \
	X(GUEST_CS_AR_BYTES, 0x4816)                                                       \
	X(GUEST_SS_AR_BYTES, 0x4818)                                                       \
	X(GUEST_DS_AR_BYTES, 0x481a)                                                       \
	X(GUEST_FS_AR_BYTES, 0x481c)                                                       \
	X(GUEST_GS_AR_BYTES, 0x481e)                                                       \
	X(GUEST_LDTR_AR_BYTES, 0x4820)                                                     \
	X(GUEST_TR_AR_BYTES, 0x4822)                                                       \
	X(GUEST_INTERRUPTIBILITY_INFO, 0x4824)                                             \
	X(GUEST_ACTIVITY_STATE, 0x4826)                                                    \
	X(GUEST_SYSENTER_CS, 0x482a)                                                       \
	X(VMX_PREEMPTION_TIMER_VALUE, 0x482e)                                              \
	X(HOST_IA32_SYSENTER_CS, 0x4c00)

#define VMCS_FIELDS_NAT(X)                                                                 \
	X(CR0_GUEST_HOST_MASK, 0x6000)                                                     \
	X(CR4_GUEST_HOST_MASK, 0x6002)                                                     \
	X(CR0_READ_SHADOW, 0x6004)                                                         \
	X(CR4_READ_SHADOW, 0x6006)                                                         \
	X(EXIT_QUALIFICATION, 0x6400)                                                      \
	X(GUEST_LINEAR_ADDRESS, 0x640a)                                                    \
	X(GUEST_CR0, 0x6800)                                                               \
	X(GUEST_CR3, 0x6802)                                                               \
	X(GUEST_CR4, 0x6804)                                                               \
	X(GUEST_ES_BASE, 0x6806)                                                           \
	X(GUEST_CS_BASE, 0x6808)                                                           \
	X(GUEST_SS_BASE, 0x680a)                                                           \
	X(GUEST_DS_BASE, 0x680c)                                                           \
	X(GUEST_FS_BASE, 0x680e)                                                           \
	X(GUEST_GS_BASE, 0x6810)                                                           \
	X(GUEST_LDTR_BASE, 0x6812)                                                         \
	X(GUEST_TR_BASE, 0x6814)                                                           \
	X(GUEST_GDTR_BASE, 0x6816)                                                         \
	X(GUEST_IDTR_BASE, 0x6818)                                                         \
	X(GUEST_DR7, 0x681a)                                                               \
	X(GUEST_RSP, 0x681c)                                                               \
	X(GUEST_RIP, 0x681e)                                                               \
	X(GUEST_RFLAGS, 0x6820)                                                            \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822)                                            \
	X(GUEST_SYSENTER_ESP, 0x6824)                                                      \
	X(GUEST_SYSENTER_EIP, 0x6826)                                                      \
	X(HOST_CR0, 0x6c00)                                                                \
	X(HOST_CR3, 0x6c02)                                                                \
	X(HOST_CR4, 0x6c04)                                                                \
	X(HOST_FS_BASE, 0x6c06)                                                            \
	X(HOST_GS_BASE, 0x6c08)                                                            \
	X(HOST_TR_BASE, 0x6c0a)                                                            \
	X(HOST_GDTR_BASE, 0x6c0c)                                                          \
	X(HOST_IDTR_BASE, 0x6c0e)                                                          \
	X(HOST_IA32_SYSENTER_ESP, 0x6c10)                                                  \
	X(HOST_IA32_SYSENTER_EIP, 0x6c12)                                                  \
	X(HOST_RSP, 0x6c14)                                                                \
	X(HOST_RIP, 0x6c16)

enum vmcs_field {
#define VMCS_ENUM(name, enc) name = (enc),
	VMCS_FIELDS_16(VMCS_ENUM) VMCS_FIELDS_64(VMCS_ENUM) VMCS_FIELDS_32(VMCS_ENUM)
	VMCS_FIELDS_NAT(VMCS_ENUM)
#undef VMCS_ENUM
};

/* The guest's segment registers, in VMCS order: selector, limit, AR bytes and base step by 2. */
#define VMCS_SEG(base_field, seg) ((enum vmcs_field)((base_field) + 2 * (seg)))

/* ---- controls (SDM 24.6-24.8) ---- */
#define PIN_EXT_INTR_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_PREEMPTION_TIMER (1u << 6)

#define CPU_INTR_WINDOW_EXITING (1u << 2)
#define CPU_USE_TSC_OFFSETTING (1u << 3)
#define CPU_HLT_EXITING (1u << 7)
#define CPU_INVLPG_EXITING (1u << 9)
#define CPU_MWAIT_EXITING (1u << 10)
#define CPU_RDPMC_EXITING (1u << 11)
#define CPU_RDTSC_EXITING (1u << 12)
#define CPU_CR3_LOAD_EXITING (1u << 15)
#define CPU_CR3_STORE_EXITING (1u << 16)
#define CPU_CR8_LOAD_EXITING (1u << 19)
#define CPU_CR8_STORE_EXITING (1u << 20)
#define CPU_NMI_WINDOW_EXITING (1u << 22)
#define CPU_MOV_DR_EXITING (1u << 23)
#define CPU_UNCOND_IO_EXITING (1u << 24)
#define CPU_USE_IO_BITMAPS (1u << 25)
#define CPU_MONITOR_TRAP_FLAG (1u << 27)
#define CPU_USE_MSR_BITMAPS (1u << 28)
#define CPU_MONITOR_EXITING (1u << 29)
#define CPU_PAUSE_EXITING (1u << 30)
#define CPU_ACTIVATE_SECONDARY (1u << 31)

#define SEC_VIRT_APIC_ACCESSES (1u << 0)
#define SEC_ENABLE_EPT (1u << 1)
#define SEC_DESC_TABLE_EXITING (1u << 2)
#define SEC_ENABLE_RDTSCP (1u << 3)
#define SEC_ENABLE_VPID (1u << 5)
#define SEC_WBINVD_EXITING (1u << 6)
#define SEC_UNRESTRICTED_GUEST (1u << 7)
#define SEC_ENABLE_INVPCID (1u << 12)
#define SEC_ENABLE_XSAVES (1u << 20)

#define EXIT_SAVE_DEBUG_CONTROLS (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE (1u << 9)
#define EXIT_ACK_INTR_ON_EXIT (1u << 15)
#define EXIT_SAVE_IA32_PAT (1u << 18)
#define EXIT_LOAD_IA32_PAT (1u << 19)
#define EXIT_SAVE_IA32_EFER (1u << 20)
#define EXIT_LOAD_IA32_EFER (1u << 21)

#define ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define ENTRY_IA32E_MODE (1u << 9)
#define ENTRY_LOAD_IA32_PAT (1u << 14)
#define ENTRY_LOAD_IA32_EFER (1u << 15)

/* ---- event information (interruption-information format, SDM 24.8.3 / 24.9.2) ---- */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR (0u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_NMI (2u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_HW_EXCEPTION (3u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_INTR (4u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_EXCEPTION (6u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_DELIVER_CODE (1u << 11)
#define INTR_INFO_NMI_UNBLOCKED_IRET (1u << 12)
#define INTR_INFO_VALID (1u << 31)

/* Guest interruptibility state. */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_SMI (1u << 2)
#define INTERRUPTIBILITY_NMI (1u << 3)

/* Guest activity state. */
#define ACTIVITY_ACTIVE 0
#define ACTIVITY_HLT 1
#define ACTIVITY_SHUTDOWN 2
#define ACTIVITY_WAIT_SIPI 3

/* Segment access rights: the VMCB's 12-bit attribute with G/DB/L/AVL moved to bits 12-15. */
#define VMX_AR_UNUSABLE (1u << 16)

/* ---- exit reasons (SDM Appendix C) ---- */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI = 0,
	EXIT_REASON_EXTERNAL_INTERRUPT = 1,
	EXIT_REASON_TRIPLE_FAULT = 2,
	EXIT_REASON_INIT = 3,
	EXIT_REASON_SIPI = 4,
	EXIT_REASON_IO_SMI = 5,
	EXIT_REASON_OTHER_SMI = 6,
	EXIT_REASON_INTERRUPT_WINDOW = 7,
	EXIT_REASON_NMI_WINDOW = 8,
	EXIT_REASON_TASK_SWITCH = 9,
	EXIT_REASON_CPUID = 10,
	EXIT_REASON_GETSEC = 11,
	EXIT_REASON_HLT = 12,
	EXIT_REASON_INVD = 13,
	EXIT_REASON_INVLPG = 14,
	EXIT_REASON_RDPMC = 15,
	EXIT_REASON_RDTSC = 16,
	EXIT_REASON_RSM = 17,
	EXIT_REASON_VMCALL = 18,
	EXIT_REASON_VMCLEAR = 19,
	EXIT_REASON_VMLAUNCH = 20,
	EXIT_REASON_VMPTRLD = 21,
	EXIT_REASON_VMPTRST = 22,
	EXIT_REASON_VMREAD = 23,
	EXIT_REASON_VMRESUME = 24,
	EXIT_REASON_VMWRITE = 25,
	EXIT_REASON_VMXOFF = 26,
	EXIT_REASON_VMXON = 27,
	EXIT_REASON_CR_ACCESS = 28,
	EXIT_REASON_DR_ACCESS = 29,
	EXIT_REASON_IO_INSTRUCTION = 30,
	EXIT_REASON_MSR_READ = 31,
	EXIT_REASON_MSR_WRITE = 32,
	EXIT_REASON_INVALID_STATE = 33,
	EXIT_REASON_MSR_LOAD_FAIL = 34,
	EXIT_REASON_MWAIT = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG = 37,
	EXIT_REASON_MONITOR = 39,
	EXIT_REASON_PAUSE = 40,
	EXIT_REASON_MCE_DURING_VMENTRY = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS = 44,
	EXIT_REASON_EOI_INDUCED = 45,
	EXIT_REASON_GDTR_IDTR = 46,
	EXIT_REASON_LDTR_TR = 47,
	EXIT_REASON_EPT_VIOLATION = 48,
	EXIT_REASON_EPT_MISCONFIG = 49,
	EXIT_REASON_INVEPT = 50,
	EXIT_REASON_RDTSCP = 51,
	EXIT_REASON_PREEMPTION_TIMER = 52,
	EXIT_REASON_INVVPID = 53,
	EXIT_REASON_WBINVD = 54,
	EXIT_REASON_XSETBV = 55,
	EXIT_REASON_APIC_WRITE = 56,
	EXIT_REASON_RDRAND = 57,
	EXIT_REASON_INVPCID = 58,
	EXIT_REASON_VMFUNC = 59,
	EXIT_REASON_ENCLS = 60,
	EXIT_REASON_RDSEED = 61,
	EXIT_REASON_PML_FULL = 62,
	EXIT_REASON_XSAVES = 63,
	EXIT_REASON_XRSTORS = 64,
	EXIT_REASON_NR = 70,
};
#define EXIT_REASON_BASIC(r) ((r) & 0xffffu)
#define EXIT_REASON_ENTRY_FAILURE (1u << 31)

/* Exit qualification of CR accesses (SDM Table 28-3). */
#define CR_QUAL_NR(q) ((unsigned)(q) & 0xf)
#define CR_QUAL_TYPE(q) (((unsigned)(q) >> 4) & 3)   /* 0 mov to CR, 1 mov from, 2 CLTS, 3 LMSW */
#define CR_QUAL_GPR(q) (((unsigned)(q) >> 8) & 0xf)
#define CR_QUAL_LMSW_DATA(q) (((unsigned)(q) >> 16) & 0xffff)

/* Exit qualification of I/O instructions (SDM Table 28-5). */
#define IO_QUAL_SIZE(q) (((unsigned)(q) & 7) + 1)
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_REP (1u << 5)
#define IO_QUAL_PORT(q) ((u16)((q) >> 16))

/* Exit qualification of EPT violations (SDM Table 28-7). */
#define EPT_QUAL_READ (1u << 0)
#define EPT_QUAL_WRITE (1u << 1)
#define EPT_QUAL_FETCH (1u << 2)
#define EPT_QUAL_NMI_UNBLOCKED_IRET (1u << 12)

/* ---- the instructions ---- */

/* VMREAD/VMWRITE of a field the VMCS lacks is a host bug: vmx.c panics with the field. */
void vmcs_fail(const char *op, unsigned field);

static inline u64 __vmcs_read(unsigned field)
{
	u64 val;
	bool ok;

	/* VMfail sets CF or ZF; "above" (CF=0, ZF=0) is success. */
	__asm__ __volatile__("vmread %2, %0" : "=rm"(val), "=@cca"(ok) : "r"((u64)field) : "cc");
	if (__builtin_expect(!ok, 0))
		vmcs_fail("vmread", field);
	return val;
}

static inline void __vmcs_write(unsigned field, u64 val)
{
	bool ok;

	__asm__ __volatile__("vmwrite %1, %2" : "=@cca"(ok) : "rm"(val), "r"((u64)field) : "cc");
	if (__builtin_expect(!ok, 0))
		vmcs_fail("vmwrite", field);
}

#define VMCS_CHECK_WIDTH(f, w) \
	_Static_assert(VMCS_WIDTH(f) == (w), #f " has another width than this accessor")

#define vmcs_read16(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W16); (u16)__vmcs_read(f); })
#define vmcs_read32(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W32); (u32)__vmcs_read(f); })
#define vmcs_read64(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W64); __vmcs_read(f); })
#define vmcs_readl(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); __vmcs_read(f); })
#define vmcs_write16(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_W16); __vmcs_write(f, (u16)(v)); })
#define vmcs_write32(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_W32); __vmcs_write(f, (u32)(v)); })
#define vmcs_write64(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_W64); __vmcs_write(f, (u64)(v)); })
#define vmcs_writel(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); __vmcs_write(f, (u64)(v)); })

#endif
