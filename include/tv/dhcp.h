/* SPDX-License-Identifier: MIT */
/*
 * dhcp.h: the DHCP client of vmk0 (net/dhcp.c, pure): RFC 2131's states
 * INIT, SELECTING, REQUESTING, BOUND, RENEWING and REBINDING, driven by
 * the time the caller passes in, so tests run it in simulated time.
 *
 * The caller feeds it UDP payloads that came to port 68 and calls
 * dhcp_poll when dhcp_deadline passes; both may produce one whole frame to
 * send (Ethernet, IPv4, UDP 68 -> 67). Broadcasts go to ff:ff:ff:ff:ff:ff
 * and 255.255.255.255; a renewal is unicast to the server: its IP is in
 * the frame and the destination MAC is left 00:00:00:00:00:00 for the
 * caller to resolve (ARP) and fill in.
 */
#ifndef TV_DHCP_H
#define TV_DHCP_H

#include <tv/types.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FRAME_MAX 590      /* the largest frame the client builds */
#define DHCP_RETRY_MIN_S 4      /* RFC 2131 4.1: 4, 8, 16, 32, 64 s */
#define DHCP_RETRY_MAX_S 64
#define DHCP_REQUEST_TRIES 4    /* REQUESTING gives up and starts over after these */
#define DHCP_LEASE_MIN_S 10     /* shorter leases are taken as this, so no storm */

enum dhcp_state {
	DHCP_INIT,              /* DISCOVER at the next poll */
	DHCP_SELECTING,         /* DISCOVER sent, waiting for an OFFER */
	DHCP_REQUESTING,        /* REQUEST for an offer sent, waiting for ACK/NAK */
	DHCP_BOUND,
	DHCP_RENEWING,          /* past T1: REQUEST unicast to our server */
	DHCP_REBINDING,         /* past T2: REQUEST broadcast to any server */
};

/* What changed in a call: the caller logs it and (re)configures the address. */
enum dhcp_event {
	DHCP_EV_NONE,
	DHCP_EV_BOUND,          /* a new lease (or a renewal with another address) */
	DHCP_EV_RENEWED,        /* same address, new times */
	DHCP_EV_NAK,            /* the server refused: address gone, back to INIT */
	DHCP_EV_EXPIRED,        /* the lease ran out: address gone, back to INIT */
};

struct dhcp_lease {
	u32 ip, mask, router, dns[2], server;
	u32 lease_s, t1_s, t2_s; /* 0xffffffff lease: infinite */
};

struct dhcp_client {
	enum dhcp_state state;
	u8 mac[6];
	char hostname[64];
	u32 rng;                /* xorshift32: xids and jitter */
	u32 xid;
	u64 start_ns;           /* this exchange began: for "secs" */
	u64 deadline_ns;        /* next retransmission or timer; 0: none */
	u32 backoff_s;
	unsigned tries;
	u64 req_ns;             /* the last REQUEST went out: lease times count from here */
	u32 offer_ip, offer_server;
	struct dhcp_lease lease; /* valid from BOUND until the event that ends it */
	u64 t1_ns, t2_ns, expire_ns; /* 0: never (infinite lease) */
	u16 ip_id;
};

/* A client in INIT for mac; hostname is sent as option 12; seed varies the xids. */
void dhcp_init(struct dhcp_client *c, const u8 mac[6], const char *hostname, u32 seed);
/*
 * Timers: send (re)transmissions, move to RENEWING/REBINDING, expire.
 * Writes a frame to out (DHCP_FRAME_MAX bytes) and its length to *len (0: none).
 */
enum dhcp_event dhcp_poll(struct dhcp_client *c, u64 now, u8 *out, size_t *len);
/* A UDP payload that came to port 68; may answer (an OFFER gets a REQUEST). */
enum dhcp_event dhcp_input(struct dhcp_client *c, u64 now, const u8 *msg, size_t msglen,
			   u8 *out, size_t *len);
/* When dhcp_poll wants to run next (arch_uptime_ns time); 0: nothing pending. */
u64 dhcp_deadline(const struct dhcp_client *c);
/* "discovering", "requesting", "bound", "renewing", "rebinding". */
const char *dhcp_state_name(enum dhcp_state s);

/* ---- the message format (RFC 2131 section 2), shared with the tests ---- */
#define DHCP_OP_REQUEST 1
#define DHCP_OP_REPLY 2
#define DHCP_FIXED_LEN 236      /* op .. file */
#define DHCP_MAGIC 0x63825363u
#define DHCP_OPT_OFF 240        /* after the magic cookie */
#define DHCP_FLAG_BROADCAST 0x8000

enum dhcp_msg {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE,
	DHCPINFORM
};

enum dhcp_opt {
	DHCP_OPT_PAD = 0, DHCP_OPT_MASK = 1, DHCP_OPT_ROUTER = 3, DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12, DHCP_OPT_REQ_IP = 50, DHCP_OPT_LEASE = 51, DHCP_OPT_TYPE = 53,
	DHCP_OPT_SERVER = 54, DHCP_OPT_PARAMS = 55, DHCP_OPT_T1 = 58, DHCP_OPT_T2 = 59,
	DHCP_OPT_CLIENT_ID = 61, DHCP_OPT_END = 255
};

/*
 * Find option code in the options of msg (from DHCP_OPT_OFF): its data and
 * length, or NULL if absent or if the options overrun the message (then
 * *bad is set: such a message is refused whole).
 */
const u8 *dhcp_opt_find(const u8 *msg, size_t len, u8 code, size_t *olen, bool *bad);

#endif
