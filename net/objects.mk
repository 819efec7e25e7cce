# net/: host networking: the vSwitch, its port groups and vmk0
KERNEL_SRCS += net/vswitch.c net/portgroup.c net/vswitch_host.c
# vmk0, the management interface: pure protocols, then the glue
KERNEL_SRCS += net/inet.c net/dhcp.c net/mgmt.c
