/* SPDX-License-Identifier: MIT */
/*
 * e1000e.h: the host driver for Intel 82574-family NICs (drivers/e1000e.c)
 * and its pure half (drivers/e1000e_ring.c: legacy descriptor rings), which
 * the unit tests run on the host. Register and bit names follow the 82574
 * datasheet.
 */
#ifndef TV_E1000E_H
#define TV_E1000E_H

#include <tv/types.h>

/* Registers (BAR0, 32-bit) */
#define E1K_CTRL 0x0000
#define E1K_STATUS 0x0008
#define E1K_EECD 0x0010
#define E1K_EERD 0x0014
#define E1K_ICR 0x00c0
#define E1K_IMC 0x00d8
#define E1K_RCTL 0x0100
#define E1K_TCTL 0x0400
#define E1K_TIPG 0x0410
#define E1K_RDBAL 0x2800
#define E1K_RDBAH 0x2804
#define E1K_RDLEN 0x2808
#define E1K_RDH 0x2810
#define E1K_RDT 0x2818
#define E1K_TDBAL 0x3800
#define E1K_TDBAH 0x3804
#define E1K_TDLEN 0x3808
#define E1K_TDH 0x3810
#define E1K_TDT 0x3818
#define E1K_MTA 0x5200                   /* 128 multicast hash words */
#define E1K_RAL0 0x5400
#define E1K_RAH0 0x5404

#define E1K_CTRL_SLU (1u << 6)           /* set link up: the MAC follows the PHY */
#define E1K_CTRL_RST (1u << 26)
#define E1K_CTRL_VME (1u << 30)          /* VLAN tag stripping: must stay off */
#define E1K_STATUS_LU (1u << 1)
#define E1K_EECD_AUTO_RD (1u << 9)       /* NVM auto-read after reset done */
#define E1K_EERD_START (1u << 0)
#define E1K_EERD_DONE (1u << 1)
#define E1K_EERD_ADDR_SHIFT 2
#define E1K_RAH_AV (1u << 31)

#define E1K_RCTL_EN (1u << 1)
#define E1K_RCTL_UPE (1u << 3)           /* promiscuous unicast */
#define E1K_RCTL_MPE (1u << 4)           /* promiscuous multicast */
#define E1K_RCTL_BAM (1u << 15)          /* accept broadcast */
#define E1K_RCTL_VFE (1u << 18)          /* VLAN filter: must stay off on a trunk */
#define E1K_RCTL_SECRC (1u << 26)        /* strip the FCS */
/* BSIZE 00 with BSEX 0: 2048-byte buffers. */

#define E1K_TCTL_EN (1u << 1)
#define E1K_TCTL_PSP (1u << 3)           /* pad short packets to 64 bytes */
#define E1K_TCTL_CT (0x0fu << 4)         /* collision threshold */
#define E1K_TCTL_COLD (0x3fu << 12)      /* collision distance, full duplex */
#define E1K_TIPG_DEFAULT 0x00602008u     /* IPGT 8, IPGR1 8, IPGR2 6 (copper) */

/* Legacy descriptors, 16 bytes. */
struct e1k_rx_desc {
	u64 addr;
	u16 length;
	u16 csum;
	u8 status;
	u8 errors;
	u16 special;
};

struct e1k_tx_desc {
	u64 addr;
	u16 length;
	u8 cso;
	u8 cmd;
	u8 status;
	u8 css;
	u16 special;
};

_Static_assert(sizeof(struct e1k_rx_desc) == 16, "legacy RX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1k_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
_Static_assert(__builtin_offsetof(struct e1k_rx_desc, status) == 12, "RX status at byte 12");
_Static_assert(__builtin_offsetof(struct e1k_tx_desc, cmd) == 11, "TX command at byte 11");
_Static_assert(__builtin_offsetof(struct e1k_tx_desc, status) == 12, "TX status at byte 12");

#define E1K_RXD_DD (1u << 0)
#define E1K_RXD_EOP (1u << 1)
/* CRC/symbol/sequence/carrier-extension/RX data errors: the frame is bad. */
#define E1K_RXE_FRAME 0x97u
#define E1K_TXD_EOP (1u << 0)
#define E1K_TXD_IFCS (1u << 1)           /* append the FCS */
#define E1K_TXD_RS (1u << 3)             /* report status (DD) */
#define E1K_TXD_DD (1u << 0)

#define E1K_BUF 2048u                    /* one buffer per descriptor */

/*
 * A TX ring: the driver fills slots at tail, the NIC sends up to TDT and
 * sets DD; clean is the oldest slot not yet seen done. One slot stays
 * empty so tail == clean means empty.
 */
struct e1k_txring {
	volatile struct e1k_tx_desc *d;
	u16 size, tail, clean;
};

/*
 * An RX ring: every slot holds a buffer; the NIC owns [RDH, RDT), next is
 * the slot the NIC fills next. RDT stays one behind next, so one armed slot
 * is always held back and RDH == RDT never means "full".
 */
struct e1k_rxring {
	volatile struct e1k_rx_desc *d;
	u16 size, next;
	bool frag;                       /* inside a frame spread over slots: drop to EOP */
};

/* Slot for the next frame, or -EAGAIN when the ring is full. */
int e1k_tx_slot(const struct e1k_txring *r);
/* Post len bytes at buffer pa in the slot e1k_tx_slot gave. Returns the new TDT. */
u16 e1k_tx_post(struct e1k_txring *r, u64 pa, u16 len);
/* Retire slots the NIC marked done. Returns how many. */
unsigned e1k_tx_reclaim(struct e1k_txring *r);

/* Arm every slot with buffer base_pa + i * E1K_BUF. Returns the first RDT. */
u16 e1k_rx_init(struct e1k_rxring *r, u64 base_pa);
/*
 * Look at the next slot: -1 if the NIC has not filled it; else its index,
 * with *len the frame length and *ok false for a frame to drop (errors,
 * not one whole frame, runt or giant).
 */
int e1k_rx_peek(const struct e1k_rxring *r, u16 *len, bool *ok);
/* Give the slot e1k_rx_peek returned back to the NIC. Returns the new RDT. */
u16 e1k_rx_done(struct e1k_rxring *r);

/* ---- the driver ---- */

/* Claim every supported Intel NIC; each becomes a struct netdev. Returns the count. */
unsigned e1000e_init(void);

#endif
