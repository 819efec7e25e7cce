# vmm/: vendor-neutral virtual machine monitor
KERNEL_SRCS +=
