// SPDX-License-Identifier: MIT
/*
 * fbcon.c: a text console on a linear 32-bit framebuffer with the built-in
 * 8x16 font. A shadow copy of the text is kept so scrolling only writes to
 * the (write-combining, slow to read) framebuffer.
 */
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/drivers.h>
#include <tv/errno.h>
#include <tv/font.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/string.h>

static struct {
	volatile u8 *fb;
	u32 stride, cols, rows, col, row;
	u32 fg, bg;
	char *text;
} con;

static u32 rgb(const struct bi_framebuffer *fb, u8 r, u8 g, u8 b)
{
	return (u32)r << fb->red_shift | (u32)g << fb->green_shift | (u32)b << fb->blue_shift;
}

static void draw(u32 col, u32 row, char c)
{
	unsigned idx = (unsigned char)c >= FONT_FIRST && (unsigned char)c <= FONT_LAST
			       ? (unsigned char)c - FONT_FIRST : '?' - FONT_FIRST;
	const unsigned char *glyph = font8x16[idx];

	for (u32 y = 0; y < FONT_HEIGHT; y++) {
		volatile u32 *px = (volatile u32 *)(con.fb + (row * FONT_HEIGHT + y) * con.stride) +
				   col * FONT_WIDTH;

		for (u32 x = 0; x < FONT_WIDTH; x++)
			px[x] = (glyph[y] & (0x80 >> x)) ? con.fg : con.bg;
	}
}

/* Redraw only the cells whose character changes: log text is mostly blanks. */
static void scroll(void)
{
	for (u32 r = 0; r < con.rows; r++) {
		for (u32 c = 0; c < con.cols; c++) {
			char next = r + 1 < con.rows ? con.text[(r + 1) * con.cols + c] : ' ';

			if (con.text[r * con.cols + c] != next) {
				con.text[r * con.cols + c] = next;
				draw(c, r, next);
			}
		}
	}
}

static void put(char c)
{
	if (c == '\n') {
		con.col = 0;
		if (++con.row == con.rows) {
			scroll();
			con.row = con.rows - 1;
		}
		return;
	}
	if (c == '\r') {
		con.col = 0;
		return;
	}
	if (c == '\b') {       /* the console's line editor erases with "\b \b" */
		if (con.col)
			con.col--;
		return;
	}
	if (con.col == con.cols)
		put('\n');
	con.text[con.row * con.cols + con.col] = c;
	draw(con.col++, con.row, c);
}

static void fbcon_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++)
		put(s[i]);
}

static struct console fb_console = { .name = "fbcon", .write = fbcon_write };

int fbcon_init(const struct bi_framebuffer *fb)
{
	u64 size = (u64)fb->stride * fb->height;

	con.cols = fb->width / FONT_WIDTH;
	con.rows = fb->height / FONT_HEIGHT;
	if (!con.cols || !con.rows)
		return -EINVAL;
	con.text = kmalloc((size_t)con.cols * con.rows);
	if (!con.text)
		return -ENOMEM;
	con.fb = arch_ioremap(fb->base, size, true);
	if (!con.fb) {
		kfree(con.text);
		return -ENOMEM;
	}
	con.stride = fb->stride;
	con.fg = rgb(fb, 0xd0, 0xd0, 0xd0);
	con.bg = rgb(fb, 0x10, 0x18, 0x30);
	memset(con.text, ' ', (size_t)con.cols * con.rows);
	for (u32 r = 0; r < con.rows; r++)
		for (u32 c = 0; c < con.cols; c++)
			draw(c, r, ' ');
	console_register(&fb_console);
	pr_info("fbcon: %ux%u framebuffer at %#llx, %ux%u text\n", fb->width, fb->height,
		(unsigned long long)fb->base, con.cols, con.rows);
	return 0;
}
