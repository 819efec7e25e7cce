/* SPDX-License-Identifier: MIT */
/* font.h: the framebuffer console's built-in font (drivers/font8x16.c). */
#ifndef TV_FONT_H
#define TV_FONT_H

#define FONT_WIDTH 8
#define FONT_HEIGHT 16
#define FONT_FIRST 0x20
#define FONT_LAST 0x7e
extern const unsigned char font8x16[FONT_LAST - FONT_FIRST + 1][FONT_HEIGHT];

#endif
