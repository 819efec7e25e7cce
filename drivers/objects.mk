# drivers/: host device drivers
KERNEL_SRCS += drivers/uart16550.c drivers/fbcon.c drivers/font8x16.c drivers/rtc_cmos.c
