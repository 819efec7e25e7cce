// SPDX-License-Identifier: MIT
/*
 * libcall.c: running Debian's libz.a and libfdt.a inside UEFI.
 *
 * Both archives are userspace builds. They are compiled with the stack
 * protector, so their functions read a canary at %fs:0x28 and call
 * __stack_chk_fail on a mismatch; UEFI gives FS no defined base. And they
 * use the 128-byte red zone below %rsp, which an interrupt taken on the same
 * stack overwrites; UEFI boot services run a timer interrupt. So every call
 * into them is bracketed: interrupts masked, FS pointed at our canary block,
 * both restored afterwards. Nothing inside the bracket may call the firmware
 * (AllocatePages and friends re-enable interrupts), which is why zlib gets a
 * static arena instead of pool allocations.
 */
#include "loader.h"

#define MSR_FS_BASE 0xc0000100u

/* What %fs points at while a library runs: the canary sits at offset 0x28. */
static struct {
	u64 pad[5];
	u64 canary;
} canary_block __attribute__((aligned(64)));
_Static_assert(__builtin_offsetof(__typeof__(canary_block), canary) == 0x28, "canary offset");

/*
 * zlib's state for one inflate is ~7 KiB plus a 32 KiB window; 128 KiB of
 * arena leaves room. A bump allocator: everything is released together.
 * Allocated at start-up rather than static: .bss is stored as zeros in a PE.
 */
#define ZARENA_SIZE (128u << 10)
static u8 *zarena;
static size_t zarena_used;
static u64 saved_fs, saved_flags;
static unsigned depth;

static u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

EFI_STATUS libcall_init(void)
{
	u64 t = rdtsc();
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS st = alloc_pages(ZARENA_SIZE, &a);

	if (EFI_ERROR(st))
		return st;
	zarena = (u8 *)(uintptr_t)a;

	/* Not a secret, only a tripwire: mix the TSC so it is not a constant. */
	canary_block.canary = (t * 0x9e3779b97f4a7c15ull) ^ (t >> 17) ^ 0x00a5a5a5a5a5a500ull;
	return EFI_SUCCESS;
}

void libcall_enter(void)
{
	if (depth++)
		return;
	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(saved_flags) : : "memory");
	saved_fs = rdmsr(MSR_FS_BASE);
	wrmsr(MSR_FS_BASE, (u64)(uintptr_t)&canary_block);
}

void libcall_leave(void)
{
	if (--depth)
		return;
	wrmsr(MSR_FS_BASE, saved_fs);
	if (saved_flags & 0x200)
		__asm__ __volatile__("sti" : : : "memory");
}

/* Called by library code on a smashed canary: never return into it. */
void __stack_chk_fail(void)
{
	wrmsr(MSR_FS_BASE, saved_fs);
	__asm__ __volatile__("sti");
	fail(EFI_ABORTED, "loader", "stack corruption detected inside zlib/libfdt");
	/* fail() returned: leave through the firmware, the stack is not trustworthy. */
	uefi_call_wrapper(BS->Exit, 4, loader_image, EFI_ABORTED, 0, NULL);
	for (;;)
		__asm__ __volatile__("hlt");
}

static unsigned zarena_live;

void *zarena_alloc(void *ctx, unsigned items, unsigned size)
{
	u64 n = (u64)items * size;

	(void)ctx;
	n = (n + 15) & ~15ull;
	if (!zarena || n > ZARENA_SIZE - zarena_used)
		return NULL;
	zarena_live++;
	zarena_used += n;
	return zarena + zarena_used - n;
}

void zarena_free(void *ctx, void *p)
{
	(void)ctx;
	if (p && --zarena_live == 0)
		zarena_used = 0;
}

/* zutil.o refers to these; route them to the same arena. */
void *malloc(size_t n)
{
	return zarena_alloc(NULL, 1, (unsigned)n);
}

void free(void *p)
{
	zarena_free(NULL, p);
}
