// SPDX-License-Identifier: MIT
/* console.c: what the operator sees on the firmware console while loading. */
#include <stdarg.h>
#include <tv/printf.h>
#include "loader.h"

static void vsay(const char *prefix, const char *file, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	Print(L"\r\nthinvisor: %a%a: %a\r\n", prefix, file, msg);
}

EFI_STATUS fail(EFI_STATUS st, const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("error: ", file, fmt, ap);
	va_end(ap);
	Print(L"thinvisor: not starting; returning to the firmware in %d seconds\r\n",
	      ERROR_STALL_SECONDS);
	uefi_call_wrapper(BS->Stall, 1, (UINTN)ERROR_STALL_SECONDS * 1000000);
	return st;
}

void warn(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", file, fmt, ap);
	va_end(ap);
}

/*
 * A 40-column bar redrawn in place. Serial consoles log every redraw, so it
 * is redrawn only when it moves by 2% and once at the end.
 */
void progress_draw(struct loader *ld, const char *name)
{
	char line[128];
	unsigned permille = ld->total_bytes ? (unsigned)(ld->done_bytes * 1000 / ld->total_bytes)
					    : 1000;
	unsigned fill = permille * 40 / 1000;
	int n;

	if (permille / 20 == ld->last_permille / 20 && permille != 1000)
		return;
	if (permille == 1000 && ld->last_permille == 1000)
		return;
	ld->last_permille = permille;
	line[0] = '\r';
	line[1] = '[';
	for (unsigned i = 0; i < 40; i++)
		line[2 + i] = i < fill ? '#' : '.';
	n = 42;
	snprintf(line + n, sizeof(line) - n, "] %3u%% %llu/%llu bytes  %-24.24s", permille / 10,
		 (unsigned long long)ld->done_bytes, (unsigned long long)ld->total_bytes, name);
	Print(L"%a", line);
}
