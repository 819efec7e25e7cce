// SPDX-License-Identifier: MIT
/*
 * mem.c: memcpy and memset for the kernel. Kept apart from string.c because
 * the UEFI loader gets these two from gnu-efi's libefi (init.o) instead.
 * "rep movsb/stosb" is fast on every CPU with ERMS and needs no SSE.
 */
#include <tv/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}
