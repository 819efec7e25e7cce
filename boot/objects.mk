# boot/: the UEFI loader, BOOTX64.EFI
BOOT_SRCS := boot/main.c boot/files.c boot/console.c boot/kernel.c boot/handoff.c \
	boot/libcall.c boot/jump.S \
	$(LIB_SHARED) $(LIB_STRING) lib/kimg.c
