// SPDX-License-Identifier: MIT
/*
 * sentinel.c: a test-only EFI app on a second disk. When the thinvisor
 * loader gives up and returns to the firmware, the firmware boots this next;
 * it says so on the console and ends QEMU through isa-debug-exit.
 */
#include <efi.h>
#include <efilib.h>

#define SENTINEL_EXIT 0x10 /* QEMU exits with (0x10 << 1) | 1 = 33 */

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	InitializeLib(image, st);
	Print(L"thinvisor-test: firmware moved on to the next boot option\r\n");
	__asm__ __volatile__("outl %0, %1" : : "a"((UINT32)SENTINEL_EXIT), "Nd"((UINT16)0xf4));
	return EFI_SUCCESS;
}
