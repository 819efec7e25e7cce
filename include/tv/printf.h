/* SPDX-License-Identifier: MIT */
/* printf.h: formatted output into buffers (lib/vsnprintf.c). */
#ifndef TV_PRINTF_H
#define TV_PRINTF_H

#include <stdarg.h>
#include <tv/compiler.h>
#include <tv/types.h>

#ifdef TV_HOSTED
#include <stdio.h>
#else
/*
 * C99 semantics: returns the length the full output would have, writes at
 * most size-1 characters and always terminates when size > 0. Supports
 * %d %i %u %x %X %o %p %s %c %% with flags "-0 #+", width, precision and
 * the length modifiers hh h l ll z t j.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
#endif

#endif
