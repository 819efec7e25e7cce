# drivers/: host device drivers
KERNEL_SRCS += drivers/uart16550.c drivers/i8042.c drivers/fbcon.c drivers/font8x16.c drivers/rtc_cmos.c \
	drivers/pci.c drivers/pci_decode.c drivers/nvme.c drivers/nvme_cmd.c \
	drivers/netdev.c drivers/e1000e.c drivers/e1000e_ring.c drivers/virtio_net_pci.c drivers/virtio_pci.c
