# tests/unit: host unit tests. Each test_NAME.c is linked with the real
# sources listed in test_NAME_SRCS (and libraries in test_NAME_LIBS).
UNIT_TESTS := acpi

test_acpi_SRCS := kernel/acpi.c
UNIT_TESTS += acpi_recorded
test_acpi_recorded_SRCS := kernel/acpi.c

UNIT_TESTS += kimg
test_kimg_SRCS := lib/kimg.c
# Wrapped so the test sees every zlib call kimg.c makes (enter/leave bracket).
test_kimg_LIBS := -lz -Wl,--wrap=inflateInit_,--wrap=inflate,--wrap=inflateEnd,--wrap=crc32_z

UNIT_TESTS += memmap
test_memmap_SRCS := lib/memmap.c

UNIT_TESTS += bootinfo
test_bootinfo_SRCS := lib/bootinfo_build.c kernel/bootinfo.c lib/memmap.c lib/cfglex.c lib/strutil.c
test_bootinfo_LIBS := -lfdt

UNIT_TESTS += framemap
test_framemap_SRCS := kernel/framemap.c

UNIT_TESTS += heap
test_heap_SRCS := kernel/heap.c

UNIT_TESTS += cmdline
test_cmdline_SRCS := kernel/cmdline.c lib/strutil.c

UNIT_TESTS += paging
test_paging_SRCS := arch/x86/paging.c

UNIT_TESTS += gpt
test_gpt_SRCS := tools/gpt.c
test_gpt_LIBS := -lz

UNIT_TESTS += lib
# lib/vsnprintf.c is #included by the test itself, under other names.
test_lib_SRCS := lib/cfglex.c lib/strutil.c lib/elf64.c
$(B)/tests/unit/test_lib: lib/vsnprintf.c

UNIT_TESTS += guestboot
test_guestboot_SRCS := vmm/boot/linux.c vmm/boot/acpi_tables.c lib/elf64.c
UNIT_TESTS += guestboot_elf
test_guestboot_elf_SRCS := vmm/boot/linux.c vmm/boot/acpi_tables.c lib/elf64.c

UNIT_TESTS += guestacpi
test_guestacpi_SRCS := vmm/boot/acpi_tables.c kernel/acpi.c

UNIT_TESTS += vuart
test_vuart_SRCS := vmm/dev/uart16550.c

UNIT_TESTS += vpit
test_vpit_SRCS := vmm/dev/pit.c

UNIT_TESTS += vrtc
test_vrtc_SRCS := vmm/dev/rtc.c

UNIT_TESTS += vacpi_pm
test_vacpi_pm_SRCS := vmm/dev/acpi_pm.c

UNIT_TESTS += vioapic
test_vioapic_SRCS := vmm/dev/vioapic.c

UNIT_TESTS += vlapic
test_vlapic_SRCS := vmm/dev/vlapic.c

UNIT_TESTS += x86_decode
test_x86_decode_SRCS := vmm/emul/x86_decode.c

UNIT_TESTS += x86_emulate
test_x86_emulate_SRCS := vmm/emul/x86_decode.c vmm/emul/x86_emulate.c

UNIT_TESTS += gwalk
test_gwalk_SRCS := vmm/emul/gwalk.c

UNIT_TESTS += vmconfig
# vsnprintf comes from the C library in hosted builds (tv/printf.h).
test_vmconfig_SRCS := vmm/vmconfig.c vmm/vmconfig_dev.c lib/cfglex.c lib/strutil.c

UNIT_TESTS += vmconfig_dev
test_vmconfig_dev_SRCS := vmm/vmconfig.c vmm/vmconfig_dev.c lib/cfglex.c lib/strutil.c

UNIT_TESTS += cpuid_policy
test_cpuid_policy_SRCS := vmm/cpuid.c

UNIT_TESTS += svm_check
test_svm_check_SRCS := arch/x86/svm/svm_check.c

UNIT_TESTS += vmx_check
test_vmx_check_SRCS := arch/x86/vmx/vmx_check.c
UNIT_TESTS += vmx_check_guest
test_vmx_check_guest_SRCS := arch/x86/vmx/vmx_check.c

UNIT_TESTS += pic8259
test_pic8259_SRCS := vmm/dev/pic8259.c

UNIT_TESTS += sched_policy
test_sched_policy_SRCS := kernel/sched_policy.c

UNIT_TESTS += mempolicy
test_mempolicy_SRCS := vmm/mempolicy.c

UNIT_TESTS += virtq
test_virtq_SRCS := vmm/virtio/virtq.c

UNIT_TESTS += virtio
test_virtio_SRCS := vmm/virtio/virtq.c vmm/virtio/mmio.c vmm/virtio/blk.c vmm/virtio/rng.c \
	vmm/virtio/console.c vmm/disk/overlay.c lib/strutil.c

UNIT_TESTS += virtio_balloon
test_virtio_balloon_SRCS := vmm/virtio/virtq.c vmm/virtio/mmio.c vmm/virtio/balloon.c lib/strutil.c

UNIT_TESTS += drbg
test_drbg_SRCS := vmm/virtio/drbg.c

UNIT_TESTS += vswitch
test_vswitch_SRCS := net/vswitch.c net/portgroup.c lib/strutil.c

UNIT_TESTS += virtio_net
test_virtio_net_SRCS := vmm/virtio/virtq.c vmm/virtio/mmio.c vmm/virtio/net.c lib/strutil.c

UNIT_TESTS += pci
test_pci_SRCS := drivers/pci_decode.c

UNIT_TESTS += nvme
test_nvme_SRCS := drivers/nvme_cmd.c

UNIT_TESTS += datastore
test_datastore_SRCS := kernel/ds_layout.c lib/strutil.c

UNIT_TESTS += e1000e
test_e1000e_SRCS := drivers/e1000e_ring.c

UNIT_TESTS += virtio_pci
test_virtio_pci_SRCS := drivers/virtio_pci.c

UNIT_TESTS += netprobe
test_netprobe_SRCS := kernel/netprobe.c

UNIT_TESTS += hostcfg
test_hostcfg_SRCS := kernel/hostcfg.c kernel/ds_layout.c lib/cfglex.c lib/strutil.c

UNIT_TESTS += dcui
test_dcui_SRCS := kernel/dcui.c kernel/hostcfg.c kernel/ds_layout.c lib/cfglex.c lib/strutil.c

UNIT_TESTS += keys
test_keys_SRCS := lib/keydec.c

UNIT_TESTS += inet
test_inet_SRCS := net/inet.c

UNIT_TESTS += dhcp
test_dhcp_SRCS := net/dhcp.c net/inet.c lib/strutil.c

UNIT_TESTS += gmem
test_gmem_SRCS := vmm/gmem.c vmm/pshare.c lib/string.c
