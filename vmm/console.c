// SPDX-License-Identifier: MIT
/*
 * console.c: a VM's serial console. Everything the guest writes is kept in
 * a ring (for the console UI) and, line by line with the VM's name in front,
 * goes to the host log, at most LINES_PER_SEC lines a second so that a
 * chatty or hostile guest cannot flood the host console.
 */
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/vmm.h>
#include "vmm_internal.h"

#define RING_SIZE (16u << 10)
#define LINES_PER_SEC 200

int vm_console_init(struct vm *vm)
{
	vm->con_ring = kzalloc(RING_SIZE);
	if (!vm->con_ring)
		return -ENOMEM;
	vm->overhead_bytes += RING_SIZE;
	return 0;
}

void vm_console_free(struct vm *vm)
{
	kfree(vm->con_ring);
	vm->con_ring = NULL;
}

/* One console line to the host log, rate-limited; tag names a second console ("hvc0: "). */
static void emit(struct vm *vm, const char *tag, char *line, unsigned *len)
{
	u64 now = arch_uptime_ns();

	if (now - vm->con_window_ns >= 1000000000ull) {
		if (vm->con_suppressed)
			pr_warn("[%s] (%u console lines not shown: over %u lines/s)\n", vm->name,
				vm->con_suppressed, LINES_PER_SEC);
		vm->con_window_ns = now;
		vm->con_lines_in_window = 0;
		vm->con_suppressed = 0;
	}
	if (vm->con_lines_in_window++ < LINES_PER_SEC)
		pr_info("[%s] %s%.*s\n", vm->name, tag, (int)*len, line);
	else
		vm->con_suppressed++;
	*len = 0;
}

_Static_assert(sizeof(((struct vm *)0)->hvc_line) == sizeof(((struct vm *)0)->con_line),
	       "line_putc sizes both lines as con_line");

/* A byte into a console line (con_lock held): a full line or a newline goes out. */
static void line_putc(struct vm *vm, const char *tag, char *line, unsigned *len, u8 c)
{
	if (c == '\n') {
		emit(vm, tag, line, len);
	} else if (c != '\r' && c != 0) {
		/* Escape sequences and other control bytes would garble the host console. */
		line[(*len)++] = (char)(c < 0x20 || c >= 0x7f ? '.' : c);
		if (*len == sizeof(vm->con_line))
			emit(vm, tag, line, len);
	}
}

/* The UART's transmit callback (vm->lock held), on whichever CPU runs the writing vCPU. */
void vm_console_putc(struct vm *vm, u8 c)
{
	irqflags_t f = spin_lock_irqsave(&vm->con_lock);

	if (vm->con_ring)
		vm->con_ring[vm->con_head++ % RING_SIZE] = (char)c;
	line_putc(vm, "", vm->con_line, &vm->con_len, c);
	spin_unlock_irqrestore(&vm->con_lock, f);
}

/* virtio-console output (vm->lock held); kept out of the ring, which is the UART's. */
void vm_console_hvc(void *ctx, const u8 *buf, u64 n)
{
	struct vm *vm = ctx;
	irqflags_t f = spin_lock_irqsave(&vm->con_lock);

	for (u64 i = 0; i < n; i++)
		line_putc(vm, "hvc0: ", vm->hvc_line, &vm->hvc_len, buf[i]);
	spin_unlock_irqrestore(&vm->con_lock, f);
}

/* From vm_stop, with or without vm->lock: con_lock alone guards the line. */
void vm_console_flush(struct vm *vm)
{
	irqflags_t f = spin_lock_irqsave(&vm->con_lock);

	if (vm->con_len)
		emit(vm, "", vm->con_line, &vm->con_len);
	if (vm->hvc_len)
		emit(vm, "hvc0: ", vm->hvc_line, &vm->hvc_len);
	spin_unlock_irqrestore(&vm->con_lock, f);
}
