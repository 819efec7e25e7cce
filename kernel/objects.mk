# kernel/: the generic microkernel core
KERNEL_SRCS += kernel/main.c kernel/log.c kernel/panic.c kernel/bootinfo.c kernel/framemap.c \
	kernel/pmm.c kernel/heap.c kernel/kmalloc.c kernel/cmdline.c kernel/ksyms.c \
	kernel/acpi.c kernel/acpi_host.c kernel/power.c kernel/ktimer.c kernel/sched.c kernel/vms.c \
	kernel/sched_policy.c kernel/sched_bench.c kernel/ds_layout.c kernel/datastore.c kernel/blktest.c \
	kernel/netprobe.c kernel/nettest.c kernel/hostcfg.c kernel/kbdtest.c kernel/dcui.c \
	kernel/dcui_host.c kernel/efivar.c
