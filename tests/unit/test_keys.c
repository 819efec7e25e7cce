// SPDX-License-Identifier: MIT
/* test_keys.c: terminal escape sequences, PS/2 scan codes and key names (lib/keydec.c). */
#include "test.h"

#include <tv/keys.h>

#define MS 1000000ull

static struct keydec d;
static u64 now;
static int keys[64];
static unsigned nkeys;

static void setup(void)
{
	keydec_init(&d);
	now = 1000 * MS;
	nkeys = 0;
}

/* Feed bytes 100 us apart (a fast line), calling idle between them as a poll loop does. */
static void feed(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = keydec_feed(&d, (u8)s[i], now);

		if (k && nkeys < 64)
			keys[nkeys++] = k;
		now += MS / 10;
		k = keydec_idle(&d, now);
		if (k && nkeys < 64)
			keys[nkeys++] = k;
	}
}
#define FEED(lit) feed(lit, sizeof(lit) - 1)

/* Nothing arrives for ms milliseconds, the loop polling every millisecond. */
static void quiet(unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		int k;

		now += MS;
		k = keydec_idle(&d, now);
		if (k && nkeys < 64)
			keys[nkeys++] = k;
	}
}

/* The keys of one terminal input, after the line went quiet. */
static int one(const char *s, size_t n)
{
	setup();
	feed(s, n);
	quiet(100);
	return nkeys == 1 ? keys[0] : -(int)nkeys - 1000;
}
#define ONE(lit) one(lit, sizeof(lit) - 1)

TEST(term_plain)
{
	CHECK_EQ(ONE("a"), 'a');
	CHECK_EQ(ONE("~"), '~');
	CHECK_EQ(ONE("\x01"), 0x01);
	CHECK_EQ(ONE("\x1a"), 0x1a);
	CHECK_EQ(ONE("\x1d"), KEY_CTRL_RBRACKET);
	CHECK_EQ(ONE("\t"), KEY_TAB);
	CHECK_EQ(ONE("\x08"), KEY_BACKSPACE);
	CHECK_EQ(ONE("\x7f"), KEY_BACKSPACE);
	/* NUL and bytes above 0x7e are not keys */
	setup();
	FEED("\0\x80\xc3\xa9\xff");
	quiet(100);
	CHECK_EQ(nkeys, 0);
}

TEST(term_enter)
{
	CHECK_EQ(ONE("\r"), KEY_ENTER);
	CHECK_EQ(ONE("\n"), KEY_ENTER);
	CHECK_EQ(ONE("\r\n"), KEY_ENTER);
	setup();
	FEED("\r\r\n\n\ra\n");
	quiet(100);
	CHECK_EQ(nkeys, 6);
	CHECK_EQ(keys[0], KEY_ENTER);
	CHECK_EQ(keys[1], KEY_ENTER);
	CHECK_EQ(keys[2], KEY_ENTER);       /* the second LF stands alone */
	CHECK_EQ(keys[3], KEY_ENTER);
	CHECK_EQ(keys[4], 'a');
	CHECK_EQ(keys[5], KEY_ENTER);
	/* the LF of a CR LF split by a long pause is still swallowed */
	setup();
	FEED("\r");
	quiet(500);
	FEED("\n");
	CHECK_EQ(nkeys, 1);
}

TEST(term_fkeys)
{
	CHECK_EQ(ONE("\x1bOP"), KEY_F1);
	CHECK_EQ(ONE("\x1bOQ"), KEY_F2);
	CHECK_EQ(ONE("\x1bOR"), KEY_F3);
	CHECK_EQ(ONE("\x1bOS"), KEY_F4);
	CHECK_EQ(ONE("\x1b[11~"), KEY_F1);
	CHECK_EQ(ONE("\x1b[12~"), KEY_F2);
	CHECK_EQ(ONE("\x1b[13~"), KEY_F3);
	CHECK_EQ(ONE("\x1b[14~"), KEY_F4);
	CHECK_EQ(ONE("\x1b[15~"), KEY_F5);
	CHECK_EQ(ONE("\x1b[17~"), KEY_F6);
	CHECK_EQ(ONE("\x1b[18~"), KEY_F7);
	CHECK_EQ(ONE("\x1b[19~"), KEY_F8);
	CHECK_EQ(ONE("\x1b[20~"), KEY_F9);
	CHECK_EQ(ONE("\x1b[21~"), KEY_F10);
	CHECK_EQ(ONE("\x1b[23~"), KEY_F11);
	CHECK_EQ(ONE("\x1b[24~"), KEY_F12);
	/* Linux console */
	CHECK_EQ(ONE("\x1b[[A"), KEY_F1);
	CHECK_EQ(ONE("\x1b[[B"), KEY_F2);
	CHECK_EQ(ONE("\x1b[[C"), KEY_F3);
	CHECK_EQ(ONE("\x1b[[D"), KEY_F4);
	CHECK_EQ(ONE("\x1b[[E"), KEY_F5);
	/* xterm with modifiers: the plain key */
	CHECK_EQ(ONE("\x1b[1;2P"), KEY_F1);
	CHECK_EQ(ONE("\x1b[1;5S"), KEY_F4);
	CHECK_EQ(ONE("\x1b[15;5~"), KEY_F5);
	CHECK_EQ(ONE("\x1b[24;2~"), KEY_F12);
}

TEST(term_navigation)
{
	CHECK_EQ(ONE("\x1b[A"), KEY_UP);
	CHECK_EQ(ONE("\x1b[B"), KEY_DOWN);
	CHECK_EQ(ONE("\x1b[C"), KEY_RIGHT);
	CHECK_EQ(ONE("\x1b[D"), KEY_LEFT);
	CHECK_EQ(ONE("\x1bOA"), KEY_UP);
	CHECK_EQ(ONE("\x1bOB"), KEY_DOWN);
	CHECK_EQ(ONE("\x1bOC"), KEY_RIGHT);
	CHECK_EQ(ONE("\x1bOD"), KEY_LEFT);
	CHECK_EQ(ONE("\x1b[H"), KEY_HOME);
	CHECK_EQ(ONE("\x1b[F"), KEY_END);
	CHECK_EQ(ONE("\x1bOH"), KEY_HOME);
	CHECK_EQ(ONE("\x1bOF"), KEY_END);
	CHECK_EQ(ONE("\x1b[1~"), KEY_HOME);
	CHECK_EQ(ONE("\x1b[4~"), KEY_END);
	CHECK_EQ(ONE("\x1b[7~"), KEY_HOME);
	CHECK_EQ(ONE("\x1b[8~"), KEY_END);
	CHECK_EQ(ONE("\x1b[2~"), KEY_INSERT);
	CHECK_EQ(ONE("\x1b[3~"), KEY_DELETE);
	CHECK_EQ(ONE("\x1b[5~"), KEY_PGUP);
	CHECK_EQ(ONE("\x1b[6~"), KEY_PGDN);
	CHECK_EQ(ONE("\x1b[1;5A"), KEY_UP);
	CHECK_EQ(ONE("\x1b[1;3D"), KEY_LEFT);
	CHECK_EQ(ONE("\x1b[3;2~"), KEY_DELETE);
}

TEST(term_sequence_of_keys)
{
	setup();
	FEED("ab\x1b[A\x1b[12~c\x1bOP\x7f\r\n");
	quiet(100);
	CHECK_EQ(nkeys, 8);
	CHECK_EQ(keys[0], 'a');
	CHECK_EQ(keys[1], 'b');
	CHECK_EQ(keys[2], KEY_UP);
	CHECK_EQ(keys[3], KEY_F2);
	CHECK_EQ(keys[4], 'c');
	CHECK_EQ(keys[5], KEY_F1);
	CHECK_EQ(keys[6], KEY_BACKSPACE);
	CHECK_EQ(keys[7], KEY_ENTER);
}

TEST(term_split)
{
	/* A sequence in pieces, each within the ESC timeout of the ESC. */
	setup();
	FEED("\x1b");
	quiet(10);
	FEED("[1");
	quiet(10);
	FEED("7");
	quiet(10);
	FEED("~");
	quiet(100);
	CHECK_EQ(nkeys, 1);
	CHECK_EQ(keys[0], KEY_F6);

	/* The result of a feed call: 0 until the final byte. */
	keydec_init(&d);
	CHECK_EQ(keydec_feed(&d, 0x1b, 0), 0);
	CHECK_EQ(keydec_feed(&d, '[', 1), 0);
	CHECK_EQ(keydec_feed(&d, '2', 2), 0);
	CHECK_EQ(keydec_idle(&d, 3), 0);
	CHECK_EQ(keydec_feed(&d, '4', 4), 0);
	CHECK_EQ(keydec_feed(&d, '~', 5), KEY_F12);
	CHECK_EQ(keydec_feed(&d, 'x', 6), 'x');
}

TEST(term_unknown)
{
	/* dropped whole: nothing of them comes out, what follows is intact */
	static const char *const unknown[] = {
		"\x1b[99~", "\x1b[~", "\x1b[Z", "\x1b[16~", "\x1b[25~", "\x1bOx", "\x1bO5~",
		"\x1b[[F", "\x1b[[1A", "\x1bx", "\x1b" "5", "\x1b[?1;2c",
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		setup();
		feed(unknown[i], strlen(unknown[i]));
		FEED("q");
		quiet(100);
		CHECK_EQ(nkeys, 1);
		if (nkeys != 1)
			fprintf(stderr, "  (sequence %zu)\n", i);
		CHECK_EQ(keys[0], 'q');
	}
}

TEST(term_overlong)
{
	/* Longer than the buffer: dropped up to and with its final byte. */
	setup();
	FEED("\x1b[1;2;3;4;5;6;7;8;9;10;11~z");
	quiet(100);
	CHECK_EQ(nkeys, 1);
	CHECK_EQ(keys[0], 'z');
	/* the longest that fits still decodes */
	CHECK_EQ(ONE("\x1b[15;10~"), KEY_F5);
	/* a control byte ends the discarding and counts */
	setup();
	FEED("\x1b[1;2;3;4;5;6;7;8\r\x1b[B");
	quiet(100);
	CHECK_EQ(nkeys, 2);
	CHECK_EQ(keys[0], KEY_ENTER);
	CHECK_EQ(keys[1], KEY_DOWN);
}

TEST(term_esc)
{
	/* A lone ESC: only once KEYDEC_ESC_NS has passed. */
	keydec_init(&d);
	CHECK_EQ(keydec_feed(&d, 0x1b, 1000 * MS), 0);
	CHECK_EQ(keydec_idle(&d, 1000 * MS + KEYDEC_ESC_NS - 1), 0);
	CHECK_EQ(keydec_idle(&d, 1000 * MS + KEYDEC_ESC_NS), KEY_ESC);
	CHECK_EQ(keydec_idle(&d, 2000 * MS), 0);
	CHECK_EQ(keydec_feed(&d, '[', 2000 * MS), '[');

	/* ESC ESC [ A: Esc, then Up */
	setup();
	FEED("\x1b\x1b[A");
	quiet(100);
	CHECK_EQ(nkeys, 2);
	CHECK_EQ(keys[0], KEY_ESC);
	CHECK_EQ(keys[1], KEY_UP);

	/* ESC ESC alone: two Esc keys */
	setup();
	FEED("\x1b\x1b");
	quiet(100);
	CHECK_EQ(nkeys, 2);
	CHECK_EQ(keys[0], KEY_ESC);
	CHECK_EQ(keys[1], KEY_ESC);

	/* ESC, a pause, then [ A typed: Esc [ A, not Up */
	setup();
	FEED("\x1b");
	quiet(60);
	FEED("[A");
	quiet(100);
	CHECK_EQ(nkeys, 3);
	CHECK_EQ(keys[0], KEY_ESC);
	CHECK_EQ(keys[1], '[');
	CHECK_EQ(keys[2], 'A');

	/* An incomplete sequence that times out is dropped, what follows is intact. */
	setup();
	FEED("\x1b[1");
	quiet(60);
	FEED("~");
	quiet(100);
	CHECK_EQ(nkeys, 1);
	CHECK_EQ(keys[0], '~');
}

TEST(term_esc_without_idle)
{
	/* Nobody polled idle: the byte after a stale ESC is held back, not lost. */
	keydec_init(&d);
	CHECK_EQ(keydec_feed(&d, 0x1b, 0), 0);
	CHECK_EQ(keydec_feed(&d, 'a', 100 * MS), KEY_ESC);
	CHECK_EQ(keydec_feed(&d, 'b', 101 * MS), 'a');
	CHECK_EQ(keydec_idle(&d, 102 * MS), 'b');
	CHECK_EQ(keydec_idle(&d, 103 * MS), 0);
	/* ... and ESC [ after a stale ESC starts a sequence */
	CHECK_EQ(keydec_feed(&d, 0x1b, 200 * MS), 0);
	CHECK_EQ(keydec_feed(&d, '\r', 300 * MS), KEY_ESC);
	CHECK_EQ(keydec_feed(&d, 0x1b, 301 * MS), KEY_ENTER);
	CHECK_EQ(keydec_feed(&d, '[', 302 * MS), 0);
	CHECK_EQ(keydec_feed(&d, 'C', 303 * MS), KEY_RIGHT);
	/* the uptime clock starts at 0: an ESC at time 0 still waits */
	keydec_init(&d);
	CHECK_EQ(keydec_feed(&d, 0x1b, 0), 0);
	CHECK_EQ(keydec_idle(&d, 0), 0);
	CHECK_EQ(keydec_feed(&d, 'O', 1), 0);
	CHECK_EQ(keydec_feed(&d, 'Q', 2), KEY_F2);
}

/* ---- PS/2 scan code set 1 ---- */

static struct kbdscan s;

/* Feed scan codes, return the keys they made as a string (named keys as '#'). */
static int scan_keys[32];
static unsigned nscan;

static void scan(const u8 *codes, size_t n)
{
	nscan = 0;
	for (size_t i = 0; i < n; i++) {
		int k = kbdscan_feed(&s, codes[i]);

		if (k && nscan < 32)
			scan_keys[nscan++] = k;
	}
}
#define SCAN(...) do { \
	static const u8 __c[] = { __VA_ARGS__ }; \
	scan(__c, sizeof(__c)); \
} while (0)

/* One key from a make code pressed and released. */
static int press(u8 code)
{
	u8 c[2] = { code, (u8)(code | 0x80) };

	scan(c, 2);
	return nscan == 1 ? scan_keys[0] : -(int)nscan - 1000;
}

static int press_e0(u8 code)
{
	u8 c[4] = { 0xe0, code, 0xe0, (u8)(code | 0x80) };

	scan(c, 4);
	return nscan == 1 ? scan_keys[0] : -(int)nscan - 1000;
}

TEST(scan_plain)
{
	static const char row[] = "1234567890-=";
	static const char qwerty[] = "qwertyuiop[]";
	static const char asdf[] = "asdfghjkl;'`";
	static const char zxcv[] = "zxcvbnm,./";

	kbdscan_init(&s);
	for (unsigned i = 0; i < 12; i++) {
		CHECK_EQ(press(0x02 + i), row[i]);
		CHECK_EQ(press(0x10 + i), qwerty[i]);
		CHECK_EQ(press(0x1e + i), asdf[i]);
	}
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(press(0x2c + i), zxcv[i]);
	CHECK_EQ(press(0x2b), '\\');
	CHECK_EQ(press(0x39), ' ');
	CHECK_EQ(press(0x01), KEY_ESC);
	CHECK_EQ(press(0x0e), KEY_BACKSPACE);
	CHECK_EQ(press(0x0f), KEY_TAB);
	CHECK_EQ(press(0x1c), KEY_ENTER);
	CHECK_EQ(press(0x37), '*');
	CHECK_EQ(press(0x4a), '-');
	CHECK_EQ(press(0x4e), '+');
	/* keys the console does not use */
	CHECK_EQ(press(0x45), -1000);       /* Num Lock */
	CHECK_EQ(press(0x46), -1000);       /* Scroll Lock */
	CHECK_EQ(press(0x4c), -1000);       /* keypad 5 */
	CHECK_EQ(press(0x56), -1000);       /* the ISO key */
	CHECK_EQ(press(0x7f), -1000);
	/* make repeats (typematic) give the key each time */
	SCAN(0x1e, 0x1e, 0x1e, 0x9e);
	CHECK_EQ(nscan, 3);
}

TEST(scan_fkeys)
{
	kbdscan_init(&s);
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(press(0x3b + i), KEY_F1 + i);
	CHECK_EQ(press(0x57), KEY_F11);
	CHECK_EQ(press(0x58), KEY_F12);
}

TEST(scan_shift)
{
	static const char row[] = "!@#$%^&*()_+";
	static const char qwerty[] = "QWERTYUIOP{}";
	static const char asdf[] = "ASDFGHJKL:\"~";
	static const char zxcv[] = "ZXCVBNM<>?";

	kbdscan_init(&s);
	SCAN(0x2a);     /* left shift down */
	for (unsigned i = 0; i < 12; i++) {
		CHECK_EQ(press(0x02 + i), row[i]);
		CHECK_EQ(press(0x10 + i), qwerty[i]);
		CHECK_EQ(press(0x1e + i), asdf[i]);
	}
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(press(0x2c + i), zxcv[i]);
	CHECK_EQ(press(0x2b), '|');
	CHECK_EQ(press(0x3b), KEY_F1);
	CHECK_EQ(press_e0(0x48), KEY_UP);
	SCAN(0xaa);     /* up */
	CHECK_EQ(press(0x1e), 'a');
	/* right shift, and both: released one by one */
	SCAN(0x36);
	CHECK_EQ(press(0x1e), 'A');
	SCAN(0x2a, 0xb6);
	CHECK_EQ(press(0x1e), 'A');
	SCAN(0xaa);
	CHECK_EQ(press(0x1e), 'a');
}

TEST(scan_caps)
{
	kbdscan_init(&s);
	SCAN(0x3a, 0xba);
	CHECK_EQ(press(0x1e), 'A');
	CHECK_EQ(press(0x02), '1');         /* letters only */
	SCAN(0x2a);
	CHECK_EQ(press(0x1e), 'a');         /* shift inverts it */
	CHECK_EQ(press(0x02), '!');
	SCAN(0xaa);
	/* held down, the key repeats: still one toggle */
	SCAN(0x3a, 0x3a, 0x3a, 0xba);
	CHECK_EQ(press(0x1e), 'a');
	SCAN(0x3a, 0xba);
	CHECK_EQ(press(0x1e), 'A');
}

TEST(scan_ctrl)
{
	kbdscan_init(&s);
	SCAN(0x1d);     /* left Ctrl */
	CHECK_EQ(press(0x1e), 0x01);        /* a */
	CHECK_EQ(press(0x2c), 0x1a);        /* z */
	CHECK_EQ(press(0x2e), 0x03);        /* c */
	CHECK_EQ(press(0x1b), KEY_CTRL_RBRACKET);
	CHECK_EQ(press(0x1a), KEY_ESC);     /* Ctrl-[ */
	CHECK_EQ(press(0x2b), 0x1c);        /* Ctrl-\ */
	CHECK_EQ(press(0x3c), KEY_F2);
	SCAN(0x2a);
	CHECK_EQ(press(0x1e), 0x01);        /* Ctrl-Shift-A too */
	SCAN(0xaa, 0x9d);
	CHECK_EQ(press(0x1e), 'a');
	/* right Ctrl is e0 1d */
	SCAN(0xe0, 0x1d);
	CHECK_EQ(press(0x1b), KEY_CTRL_RBRACKET);
	SCAN(0xe0, 0x9d);
	CHECK_EQ(press(0x1b), ']');
	/* Alt, left and right, changes nothing the console sees */
	SCAN(0x38);
	CHECK_EQ(press(0x1e), 'a');
	CHECK(s.alt);
	SCAN(0xb8, 0xe0, 0x38);
	CHECK(s.alt);
	SCAN(0xe0, 0xb8);
	CHECK(!s.alt);
}

TEST(scan_extended)
{
	kbdscan_init(&s);
	CHECK_EQ(press_e0(0x48), KEY_UP);
	CHECK_EQ(press_e0(0x50), KEY_DOWN);
	CHECK_EQ(press_e0(0x4b), KEY_LEFT);
	CHECK_EQ(press_e0(0x4d), KEY_RIGHT);
	CHECK_EQ(press_e0(0x47), KEY_HOME);
	CHECK_EQ(press_e0(0x4f), KEY_END);
	CHECK_EQ(press_e0(0x52), KEY_INSERT);
	CHECK_EQ(press_e0(0x53), KEY_DELETE);
	CHECK_EQ(press_e0(0x49), KEY_PGUP);
	CHECK_EQ(press_e0(0x51), KEY_PGDN);
	CHECK_EQ(press_e0(0x1c), KEY_ENTER);        /* keypad Enter */
	CHECK_EQ(press_e0(0x35), '/');              /* keypad / */
	CHECK_EQ(press_e0(0x5b), -1000);            /* Windows key */
	/* the keypad without Num Lock: the same navigation keys */
	CHECK_EQ(press(0x48), KEY_UP);
	CHECK_EQ(press(0x53), KEY_DELETE);
	CHECK_EQ(press(0x52), KEY_INSERT);
	/* with Num Lock on the keyboard sends fake shifts around the arrows */
	SCAN(0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa);
	CHECK_EQ(nscan, 1);
	CHECK_EQ(scan_keys[0], KEY_UP);
	CHECK(!s.shift_l && !s.shift_r);
	/* shift held with the arrows: the keyboard releases it in between (e0 aa) */
	SCAN(0x2a, 0xe0, 0xaa, 0xe0, 0x4b, 0xe0, 0xcb, 0xe0, 0x2a, 0x1e, 0xaa);
	CHECK_EQ(nscan, 2);
	CHECK_EQ(scan_keys[0], KEY_LEFT);
	CHECK_EQ(scan_keys[1], 'A');        /* the real shift is still down */
	/* Print Screen: e0 2a e0 37, e0 b7 e0 aa */
	SCAN(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
	CHECK_EQ(nscan, 0);
	CHECK_EQ(press(0x1e), 'a');
}

TEST(scan_pause)
{
	kbdscan_init(&s);
	SCAN(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e, 0x9e);
	CHECK_EQ(nscan, 1);
	CHECK_EQ(scan_keys[0], 'a');
	CHECK(!s.ctrl);
	/* Ctrl-Break: e0 46 e0 c6 */
	SCAN(0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d, 0x1e);
	CHECK_EQ(nscan, 1);
	CHECK_EQ(scan_keys[0], 'a');
	/* controller answers in the stream (ACK, BAT) are no keys */
	SCAN(0xfa, 0xaa, 0xfe, 0xee, 0x00, 0xff);
	CHECK_EQ(nscan, 0);
}

/* ---- names ---- */

TEST(names)
{
	char buf[16];

	CHECK_STR(key_name(KEY_F2, buf, sizeof(buf)), "F2");
	CHECK_STR(key_name(KEY_F12, buf, sizeof(buf)), "F12");
	CHECK_STR(key_name(KEY_ENTER, buf, sizeof(buf)), "Enter");
	CHECK_STR(key_name('a', buf, sizeof(buf)), "a");
	CHECK_STR(key_name('A', buf, sizeof(buf)), "A");
	CHECK_STR(key_name('~', buf, sizeof(buf)), "~");
	CHECK_STR(key_name(' ', buf, sizeof(buf)), "Space");
	CHECK_STR(key_name(KEY_CTRL_RBRACKET, buf, sizeof(buf)), "Ctrl-]");
	CHECK_STR(key_name(0x01, buf, sizeof(buf)), "Ctrl-A");
	CHECK_STR(key_name(0x1a, buf, sizeof(buf)), "Ctrl-Z");
	CHECK_STR(key_name(0x1c, buf, sizeof(buf)), "Ctrl-\\");
	CHECK_STR(key_name(KEY_ESC, buf, sizeof(buf)), "Esc");
	CHECK_STR(key_name(KEY_TAB, buf, sizeof(buf)), "Tab");
	CHECK_STR(key_name(KEY_BACKSPACE, buf, sizeof(buf)), "Backspace");
	CHECK_STR(key_name(KEY_UP, buf, sizeof(buf)), "Up");
	CHECK_STR(key_name(KEY_DOWN, buf, sizeof(buf)), "Down");
	CHECK_STR(key_name(KEY_LEFT, buf, sizeof(buf)), "Left");
	CHECK_STR(key_name(KEY_RIGHT, buf, sizeof(buf)), "Right");
	CHECK_STR(key_name(KEY_HOME, buf, sizeof(buf)), "Home");
	CHECK_STR(key_name(KEY_END, buf, sizeof(buf)), "End");
	CHECK_STR(key_name(KEY_INSERT, buf, sizeof(buf)), "Insert");
	CHECK_STR(key_name(KEY_DELETE, buf, sizeof(buf)), "Delete");
	CHECK_STR(key_name(KEY_PGUP, buf, sizeof(buf)), "PgUp");
	CHECK_STR(key_name(KEY_PGDN, buf, sizeof(buf)), "PgDn");
	CHECK_STR(key_name(0x7f, buf, sizeof(buf)), "key 0x7f");
	CHECK_STR(key_name(0x110, buf, sizeof(buf)), "key 0x110");
	/* short buffers are cut, never overrun */
	buf[3] = 'x';
	CHECK_STR(key_name(KEY_DELETE, buf, 3), "De");
	CHECK_EQ(buf[3], 'x');
	CHECK_STR(key_name(KEY_F1, buf, 0), "");
}

TEST_MAIN(
	{"term_plain", term_plain},
	{"term_enter", term_enter},
	{"term_fkeys", term_fkeys},
	{"term_navigation", term_navigation},
	{"term_sequence_of_keys", term_sequence_of_keys},
	{"term_split", term_split},
	{"term_unknown", term_unknown},
	{"term_overlong", term_overlong},
	{"term_esc", term_esc},
	{"term_esc_without_idle", term_esc_without_idle},
	{"scan_plain", scan_plain},
	{"scan_fkeys", scan_fkeys},
	{"scan_shift", scan_shift},
	{"scan_caps", scan_caps},
	{"scan_ctrl", scan_ctrl},
	{"scan_extended", scan_extended},
	{"scan_pause", scan_pause},
	{"names", names},
)
