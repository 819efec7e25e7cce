# vmm/: vendor-neutral virtual machine monitor
KERNEL_SRCS += vmm/vm.c vmm/vm_mem.c vmm/vcpu.c vmm/bus.c vmm/vtimer.c vmm/console.c vmm/platform.c \
	vmm/emulate.c vmm/exits.c vmm/msr.c vmm/cpuid.c vmm/vmconfig.c vmm/vmconfig_dev.c vmm/boot/linux.c vmm/boot/acpi_tables.c \
	vmm/emul/x86_decode.c vmm/emul/x86_emulate.c vmm/emul/gwalk.c \
	vmm/dev/uart16550.c vmm/dev/pit.c vmm/dev/rtc.c vmm/dev/acpi_pm.c vmm/dev/vioapic.c vmm/dev/vlapic.c vmm/dev/pic8259.c \
	vmm/virtio_host.c vmm/virtio/virtq.c vmm/virtio/mmio.c vmm/virtio/blk.c vmm/virtio/rng.c vmm/virtio/net.c \
	vmm/virtio/console.c vmm/virtio/drbg.c vmm/virtio/balloon.c vmm/disk/overlay.c vmm/disk/disk.c \
	vmm/mempolicy.c
KERNEL_SRCS += vmm/gmem.c vmm/pshare.c vmm/vm_reclaim.c
