/* SPDX-License-Identifier: MIT */
/* types.h: fixed-width types shared by the loader, the kernel and host tools. */
#ifndef TV_TYPES_H
#define TV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* A physical address; never dereferenced directly (use phys_to_virt in the kernel). */
typedef u64 paddr_t;

#endif
