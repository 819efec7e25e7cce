# lib/: pure code shared by the loader, the kernel and host tools.
LIB_SHARED := lib/strutil.c lib/cfglex.c lib/memmap.c lib/elf64.c lib/vsnprintf.c \
	lib/bootinfo_build.c
# freestanding C library pieces (hosted builds use libc)
LIB_STRING := lib/string.c
# memcpy/memset: the loader takes these from gnu-efi's libefi instead
LIB_MEM := lib/mem.c
# kernel only: the console's keys (tv/keys.h)
LIB_KERNEL := lib/keydec.c
