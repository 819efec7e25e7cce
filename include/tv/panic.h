/* SPDX-License-Identifier: MIT */
/*
 * panic.h: stopping the host. Per the error policy (docs/architecture.md)
 * panic only when going on could corrupt the host or leak data between VMs;
 * a broken guest stops its VM, never the host.
 */
#ifndef TV_PANIC_H
#define TV_PANIC_H

#include <tv/compiler.h>
#include <tv/types.h>

struct trap_frame;

/* Message must read "function: reason". Prints a backtrace, stops every CPU. */
void __noreturn panic(const char *fmt, ...) __printf(1, 2);
/* True once any CPU has begun to panic (other CPUs then stop when told). */
bool panic_in_progress(void);
/* The panic screen for a CPU exception in the host, with the saved registers. */
void __noreturn panic_trap(const struct trap_frame *tf, const char *what);

#ifdef NDEBUG
#define ASSERT(c) ((void)0)
#else
/* Catches programming errors in debug builds; not error handling. */
#define ASSERT(c) do { if (unlikely(!(c))) panic("%s: assertion '%s' failed at %s:%d", __func__, #c, __FILE__, __LINE__); } while (0)
#endif

#endif
