# net/: host networking: the vSwitch and its port groups
KERNEL_SRCS += net/vswitch.c net/portgroup.c net/vswitch_host.c
