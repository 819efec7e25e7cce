// SPDX-License-Identifier: MIT
/* keydec.c: console keys from terminal escape sequences and PS/2 scan codes (tv/keys.h). */
#include <tv/keys.h>
#include <tv/printf.h>
#include <tv/string.h>

#define ESC 0x1b

/* ---- terminal escape sequences ---------------------------------------- */

void keydec_init(struct keydec *d)
{
	memset(d, 0, sizeof(*d));
}

/* ESC [ n ~ (VT220, xterm, PuTTY, rxvt, Linux console) */
static int csi_tilde(unsigned n)
{
	static const u16 keys[] = {
		[1] = KEY_HOME, [2] = KEY_INSERT, [3] = KEY_DELETE, [4] = KEY_END,
		[5] = KEY_PGUP, [6] = KEY_PGDN, [7] = KEY_HOME, [8] = KEY_END,
		[11] = KEY_F1, [12] = KEY_F2, [13] = KEY_F3, [14] = KEY_F4, [15] = KEY_F5,
		[17] = KEY_F6, [18] = KEY_F7, [19] = KEY_F8, [20] = KEY_F9, [21] = KEY_F10,
		[23] = KEY_F11, [24] = KEY_F12,
	};

	return n < sizeof(keys) / sizeof(keys[0]) ? keys[n] : 0;
}

/* The final letter of ESC [ ... X or ESC O ... X. */
static int final_letter(u8 c)
{
	switch (c) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': return KEY_F1;
	case 'Q': return KEY_F2;
	case 'R': return KEY_F3;
	case 'S': return KEY_F4;
	default: return 0;
	}
}

/*
 * The sequence in d->seq ends with final byte c: its key, or 0 if unknown.
 * Only the first parameter counts, so modified forms (ESC [ 1 ; 5 A,
 * ESC [ 15 ; 2 ~) give the plain key.
 */
static int seq_key(const struct keydec *d, u8 c)
{
	unsigned n = 0, i = 2;

	if (d->n >= 3 && d->seq[1] == '[' && d->seq[2] == '[')
		return d->n == 3 && c >= 'A' && c <= 'E' ? KEY_F1 + (c - 'A') : 0;
	for (; i < d->n && d->seq[i] >= '0' && d->seq[i] <= '9'; i++)
		n = n * 10 + (d->seq[i] - '0');
	if (c == '~')
		return d->seq[1] == '[' && i > 2 ? csi_tilde(n) : 0;
	return final_letter(c);
}

/* Discarding the rest of an overlong sequence, up to its final byte. */
#define SEQ_DISCARD (sizeof(((struct keydec *)0)->seq) + 1)

static int plain_byte(struct keydec *d, u8 c, u64 now_ns)
{
	bool after_cr = d->last_cr;

	d->last_cr = false;
	switch (c) {
	case ESC:
		d->seq[0] = ESC;
		d->n = 1;
		d->esc_ns = now_ns;
		return 0;
	case '\r':
		d->last_cr = true;
		return KEY_ENTER;
	case '\n':
		return after_cr ? 0 : KEY_ENTER;
	case 0x7f:
		return KEY_BACKSPACE;
	default:
		return c >= 0x01 && c < 0x7f ? c : 0;
	}
}

int keydec_feed(struct keydec *d, u8 c, u64 now_ns)
{
	int key;

	if (d->pending) {
		/* A key held back behind a stale ESC (below) comes out first. */
		key = d->pending;
		d->pending = plain_byte(d, c, now_ns);
		return key;
	}
	if (d->n == 0)
		return plain_byte(d, c, now_ns);
	if (d->n == SEQ_DISCARD) {
		if (c >= 0x20 && c < 0x40)
			return 0;
		d->n = 0;
		return c >= 0x40 && c < 0x7f ? 0 : plain_byte(d, c, now_ns);
	}
	if (d->n == 1) {
		if (c == ESC) {
			/* ESC ESC: the first was a key of its own. */
			d->esc_ns = now_ns;
			return KEY_ESC;
		}
		if (now_ns - d->esc_ns >= KEYDEC_ESC_NS) {
			/*
			 * Nobody called keydec_idle in time: the ESC stood alone
			 * and this byte is a key of its own, given next time.
			 */
			d->n = 0;
			d->pending = plain_byte(d, c, now_ns);
			return KEY_ESC;
		}
		if (c == '[' || c == 'O') {
			d->seq[d->n++] = c;
			return 0;
		}
		d->n = 0;       /* Alt-x and the like: the console has no use for them */
		return 0;
	}
	if (d->n == 2 && d->seq[1] == '[' && c == '[') {
		d->seq[d->n++] = c;
		return 0;
	}
	if (d->n == 3 && d->seq[2] == '[' && c >= 0x40 && c < 0x7f) {
		key = seq_key(d, c);
		d->n = 0;
		return key;
	}
	if (c >= 0x20 && c < 0x40) {
		/* parameter and intermediate bytes */
		if (d->n == sizeof(d->seq)) {
			d->n = SEQ_DISCARD;
			return 0;
		}
		d->seq[d->n++] = c;
		return 0;
	}
	if (c >= 0x40 && c < 0x7f) {
		key = seq_key(d, c);
		d->n = 0;
		return key;
	}
	/* A control byte breaks the sequence off; it counts on its own. */
	d->n = 0;
	return plain_byte(d, c, now_ns);
}

int keydec_idle(struct keydec *d, u64 now_ns)
{
	int key = d->pending;

	d->pending = 0;
	if (key || d->n == 0 || now_ns - d->esc_ns < KEYDEC_ESC_NS)
		return key;
	key = d->n == 1 ? KEY_ESC : 0;
	/* A sequence cut short for that long is not coming back: drop it. */
	d->n = 0;
	return key;
}

/* ---- PS/2 scan code set 1 --------------------------------------------- */

#define SC_LCTRL 0x1d
#define SC_LSHIFT 0x2a
#define SC_RSHIFT 0x36
#define SC_LALT 0x38
#define SC_CAPS 0x3a
#define SC_F1 0x3b
#define SC_F10 0x44
#define SC_F11 0x57
#define SC_F12 0x58
#define SC_BREAK 0x80

/* The US layout, unshifted and shifted; 0 where the code is no character. */
static const char sc_plain[] =
	"\0\x1b" "1234567890-=\x08\t"
	"qwertyuiop[]\r\0as"
	"dfghjkl;'`\0\\zxcv"
	"bnm,./\0*\0 \0\0\0\0\0\0"
	"\0\0\0\0\0\0\0\0\0\0-\0\0\0+\0"
	"\0\0\0\0";
static const char sc_shift[] =
	"\0\x1b" "!@#$%^&*()_+\x08\t"
	"QWERTYUIOP{}\r\0AS"
	"DFGHJKL:\"~\0|ZXCV"
	"BNM<>?\0*\0 \0\0\0\0\0\0"
	"\0\0\0\0\0\0\0\0\0\0-\0\0\0+\0"
	"\0\0\0\0";
_Static_assert(sizeof(sc_plain) == 0x54 + 1 && sizeof(sc_shift) == sizeof(sc_plain),
	       "scan code tables cover 0x00-0x53");

/* The keypad as the navigation block (Num Lock off, which nothing here turns on). */
static const u16 sc_keypad[] = {
	[0x47 - 0x47] = KEY_HOME, [0x48 - 0x47] = KEY_UP, [0x49 - 0x47] = KEY_PGUP,
	[0x4b - 0x47] = KEY_LEFT, [0x4d - 0x47] = KEY_RIGHT, [0x4f - 0x47] = KEY_END,
	[0x50 - 0x47] = KEY_DOWN, [0x51 - 0x47] = KEY_PGDN, [0x52 - 0x47] = KEY_INSERT,
	[0x53 - 0x47] = KEY_DELETE,
};

void kbdscan_init(struct kbdscan *s)
{
	memset(s, 0, sizeof(*s));
}

static int scan_e0(struct kbdscan *s, u8 code, bool make)
{
	switch (code) {
	case SC_LCTRL:
		s->ctrl = make;         /* right Ctrl: one flag serves both */
		return 0;
	case SC_LALT:
		s->alt = make;          /* right Alt (AltGr) */
		return 0;
	case 0x1c:
		return make ? KEY_ENTER : 0;
	case 0x35:
		return make ? '/' : 0;
	default:
		/* the navigation block; fake shifts (2a, 36), Windows keys and the rest are not keys here */
		if (make && code >= 0x47 && code <= 0x53)
			return sc_keypad[code - 0x47];
		return 0;
	}
}

int kbdscan_feed(struct kbdscan *s, u8 byte)
{
	bool make = !(byte & SC_BREAK), shift;
	u8 code = byte & ~SC_BREAK;
	int c;

	if (s->skip) {
		s->skip--;
		return 0;
	}
	if (byte == 0xe0) {
		s->e0 = true;
		return 0;
	}
	if (byte == 0xe1) {
		/* Pause: e1 1d 45 e1 9d c5, make and break at once */
		s->skip = 5;
		s->e0 = false;
		return 0;
	}
	if (s->e0) {
		s->e0 = false;
		return scan_e0(s, code, make);
	}
	switch (code) {
	case SC_LSHIFT:
		s->shift_l = make;
		return 0;
	case SC_RSHIFT:
		s->shift_r = make;
		return 0;
	case SC_LCTRL:
		s->ctrl = make;
		return 0;
	case SC_LALT:
		s->alt = make;
		return 0;
	case SC_CAPS:
		/* The key repeats while held: toggle on the first make only. */
		if (make && !s->caps_held)
			s->caps = !s->caps;
		s->caps_held = make;
		return 0;
	}
	if (!make)
		return 0;
	if (code >= SC_F1 && code <= SC_F10)
		return KEY_F1 + (code - SC_F1);
	if (code == SC_F11)
		return KEY_F11;
	if (code == SC_F12)
		return KEY_F12;
	if (code >= 0x47 && code <= 0x53 && sc_keypad[code - 0x47])
		return sc_keypad[code - 0x47];
	if (code >= sizeof(sc_plain))
		return 0;
	shift = s->shift_l || s->shift_r;
	c = (u8)(shift ? sc_shift[code] : sc_plain[code]);
	if (c >= 'a' && c <= 'z' && s->caps)
		c += 'A' - 'a';
	else if (c >= 'A' && c <= 'Z' && s->caps)
		c += 'a' - 'A';
	if (c && s->ctrl) {
		/* Ctrl-A..Ctrl-Z, Ctrl-[ \ ] as a terminal sends them */
		u8 base = (u8)sc_plain[code];

		if (base >= 'a' && base <= 'z')
			return base - 'a' + 1;
		if (base == '[' || base == '\\' || base == ']')
			return base - '[' + ESC;
	}
	return c;
}

/* ---- names -------------------------------------------------------------- */

const char *key_name(int key, char *buf, size_t size)
{
	static const char *const named[] = {
		[KEY_UP - KEY_UP] = "Up", [KEY_DOWN - KEY_UP] = "Down",
		[KEY_LEFT - KEY_UP] = "Left", [KEY_RIGHT - KEY_UP] = "Right",
		[KEY_HOME - KEY_UP] = "Home", [KEY_END - KEY_UP] = "End",
		[KEY_INSERT - KEY_UP] = "Insert", [KEY_DELETE - KEY_UP] = "Delete",
		[KEY_PGUP - KEY_UP] = "PgUp", [KEY_PGDN - KEY_UP] = "PgDn",
	};
	const char *name = NULL;

	if (!size)
		return "";
	if (key >= KEY_UP && key <= KEY_PGDN)
		name = named[key - KEY_UP];
	else if (key >= KEY_F1 && key <= KEY_F12)
		snprintf(buf, size, "F%d", key - KEY_F1 + 1);
	else if (key == KEY_BACKSPACE)
		name = "Backspace";
	else if (key == KEY_TAB)
		name = "Tab";
	else if (key == KEY_ENTER)
		name = "Enter";
	else if (key == KEY_ESC)
		name = "Esc";
	else if (key == ' ')
		name = "Space";
	else if (key >= 0x01 && key < 0x20)
		snprintf(buf, size, "Ctrl-%c", key + '@');
	else if (key > ' ' && key < 0x7f)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "key %#x", (unsigned)key);
	if (name)
		snprintf(buf, size, "%s", name);
	return buf;
}
