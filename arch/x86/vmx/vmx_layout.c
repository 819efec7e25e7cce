// SPDX-License-Identifier: MIT
/*
 * vmx_layout.c: compile-time checks of the VMCS field encodings in vmcs.h
 * against the rules of Intel SDM Vol. 3 Appendix B: each field's width bits
 * match the list it is in, the access-type bit is "full", and the segment
 * fields step by 2 in the order VMCS_SEG relies on. Nothing to run.
 */
#include "vmcs.h"

#define CHECK_FIELD(name, enc, width)                                                      \
	_Static_assert(VMCS_WIDTH(name) == (width), #name ": width bits do not match its list"); \
	_Static_assert(((enc) & 1) == 0, #name ": high-half access encoding");
#define CHECK16(name, enc) CHECK_FIELD(name, enc, VMCS_W16)
#define CHECK64(name, enc) CHECK_FIELD(name, enc, VMCS_W64)
#define CHECK32(name, enc) CHECK_FIELD(name, enc, VMCS_W32)
#define CHECKNAT(name, enc) CHECK_FIELD(name, enc, VMCS_WNAT)

VMCS_FIELDS_16(CHECK16)
VMCS_FIELDS_64(CHECK64)
VMCS_FIELDS_32(CHECK32)
VMCS_FIELDS_NAT(CHECKNAT)

/* Kinds: control, exit information (read-only), guest, host. */
_Static_assert(VMCS_KIND(EPT_POINTER) == VMCS_KIND_CTL, "EPT_POINTER kind");
_Static_assert(VMCS_KIND(VM_EXIT_REASON) == VMCS_KIND_RO, "VM_EXIT_REASON kind");
_Static_assert(VMCS_KIND(GUEST_PHYSICAL_ADDRESS) == VMCS_KIND_RO, "GUEST_PHYSICAL_ADDRESS kind");
_Static_assert(VMCS_KIND(EXIT_QUALIFICATION) == VMCS_KIND_RO, "EXIT_QUALIFICATION kind");
_Static_assert(VMCS_KIND(GUEST_RIP) == VMCS_KIND_GUEST, "GUEST_RIP kind");
_Static_assert(VMCS_KIND(GUEST_IA32_EFER) == VMCS_KIND_GUEST, "GUEST_IA32_EFER kind");
_Static_assert(VMCS_KIND(HOST_RIP) == VMCS_KIND_HOST, "HOST_RIP kind");
_Static_assert(VMCS_KIND(HOST_IA32_EFER) == VMCS_KIND_HOST, "HOST_IA32_EFER kind");

/* Segment fields in ES CS SS DS FS GS LDTR TR order, as VMCS_SEG steps through them. */
_Static_assert(VMCS_SEG(GUEST_ES_SELECTOR, 7) == GUEST_TR_SELECTOR, "selector order");
_Static_assert(VMCS_SEG(GUEST_ES_LIMIT, 7) == GUEST_TR_LIMIT, "limit order");
_Static_assert(VMCS_SEG(GUEST_ES_AR_BYTES, 7) == GUEST_TR_AR_BYTES, "access-rights order");
_Static_assert(VMCS_SEG(GUEST_ES_BASE, 7) == GUEST_TR_BASE, "base order");
_Static_assert(VMCS_SEG(GUEST_ES_SELECTOR, 1) == GUEST_CS_SELECTOR, "CS selector");
_Static_assert(HOST_ES_SELECTOR + 2 * 6 == HOST_TR_SELECTOR, "host selector order");
