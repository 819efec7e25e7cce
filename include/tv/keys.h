/* SPDX-License-Identifier: MIT */
/*
 * keys.h: key codes of the host console, whichever keyboard they come from:
 * a terminal on the serial line (escape sequences, lib/keydec.c) or a PS/2
 * keyboard, or a USB one through the firmware's legacy emulation
 * (drivers/i8042.c, scan codes decoded in lib/keydec.c).
 *
 * 0x01-0x7e are the characters themselves (Ctrl-A..Ctrl-Z as 0x01-0x1a);
 * the named keys below are above 0xff.
 */
#ifndef TV_KEYS_H
#define TV_KEYS_H

#include <tv/types.h>

enum {
	KEY_BACKSPACE = 0x08,   /* both BS and DEL (0x7f) from a terminal */
	KEY_TAB = 0x09,
	KEY_ENTER = 0x0d,       /* CR, LF and CR LF from a terminal: one KEY_ENTER */
	KEY_CTRL_RBRACKET = 0x1d,  /* Ctrl-]: detach from a VM's console */
	KEY_ESC = 0x1b,
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_INSERT,
	KEY_DELETE,
	KEY_PGUP,
	KEY_PGDN,
	KEY_F1 = 0x120,         /* KEY_F1 + n - 1 is Fn, up to F12 */
	KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9, KEY_F10, KEY_F11, KEY_F12,
};

/*
 * Terminal input: VT100/xterm/PuTTY/Linux-console escape sequences for
 * arrows, Home/End/Ins/Del/PgUp/PgDn and F1-F12 (ESC O P..S, ESC [ n ~,
 * ESC [ [ A..E), BS/DEL, CR/LF.
 */
struct keydec {
	u8 seq[8];              /* bytes of an escape sequence so far */
	unsigned n;
	u64 esc_ns;             /* when its ESC arrived */
	bool last_cr;           /* swallow the LF of a CR LF */
	int pending;            /* a key held back behind a stale ESC, given next */
};
#define KEYDEC_ESC_NS 50000000ull  /* a lone ESC: nothing followed within 50 ms */

void keydec_init(struct keydec *d);
/* One byte from the line at now_ns: a key, or 0 while a sequence is incomplete
 * or a byte is swallowed. An unknown sequence yields 0 and is dropped whole. */
int keydec_feed(struct keydec *d, u8 byte, u64 now_ns);
/* No byte waiting at now_ns: KEY_ESC if a lone ESC has waited KEYDEC_ESC_NS, else 0. */
int keydec_idle(struct keydec *d, u64 now_ns);

/* PS/2 scan code set 1 (what the i8042 delivers with translation on). */
struct kbdscan {
	bool e0;                /* the previous byte was the 0xe0 prefix */
	bool shift_l, shift_r, ctrl, alt, caps;
	bool caps_held;         /* Caps Lock is down (it repeats: toggle once) */
	unsigned skip;          /* bytes left of a Pause sequence (e1 ...) */
};
void kbdscan_init(struct kbdscan *s);
/* One byte from the controller: a key on a make code, 0 otherwise (break codes,
 * modifiers, prefixes, keys the console does not use). */
int kbdscan_feed(struct kbdscan *s, u8 code);

/* "F2", "Enter", "a", "Ctrl-]": for logs and tests. */
const char *key_name(int key, char *buf, size_t size);

#endif
