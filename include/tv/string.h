/* SPDX-License-Identifier: MIT */
/*
 * string.h: the C string functions. Freestanding builds get lib/string.c;
 * host builds (tools, unit tests; TV_HOSTED) use the C library's.
 */
#ifndef TV_STRING_H
#define TV_STRING_H

#include <tv/types.h>

#ifdef TV_HOSTED
#include <string.h>
#include <stdlib.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
unsigned long strtoul(const char *s, char **end, int base);
#endif

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t tv_strlcpy(char *dst, const char *src, size_t size);
/* strcmp ignoring ASCII case. */
int tv_strcasecmp(const char *a, const char *b);
/* Parse an unsigned decimal or 0x-hex number that fills [s, s+len); -EINVAL otherwise. */
int tv_parse_u64(const char *s, size_t len, u64 *out);

static inline bool tv_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline bool tv_isspace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static inline bool tv_isalpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline bool tv_isalnum(int c) { return tv_isalpha(c) || tv_isdigit(c); }
static inline bool tv_isxdigit(int c) { return tv_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
static inline bool tv_isprint(int c) { return c >= 0x20 && c < 0x7f; }
static inline int tv_tolower(int c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }

#endif
