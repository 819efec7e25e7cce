# arch/x86/: x86-64 support; svm/ and vmx/ are the vendor backends
KERNEL_SRCS += arch/x86/boot/mb2_header.S arch/x86/boot/mb2_entry.S arch/x86/boot/entry64.S \
	arch/x86/boot/mb2.c arch/x86/cpu.c arch/x86/percpu.c arch/x86/desc.c arch/x86/isr.S \
	arch/x86/trap.c arch/x86/paging.c arch/x86/mmu.c arch/x86/lapic.c arch/x86/ioapic.c \
	arch/x86/timer.c arch/x86/io.c arch/x86/virt.c arch/x86/fpu.c arch/x86/efi_rt.c arch/x86/vmm.c arch/x86/smp.c arch/x86/smp_tramp.S \
	arch/x86/svm/svm.c arch/x86/svm/svm_exit.c arch/x86/svm/svm_check.c arch/x86/svm/svm_layout.c \
	arch/x86/svm/svm_entry.S \
	arch/x86/vmx/vmx.c arch/x86/vmx/vmx_exit.c arch/x86/vmx/vmx_check.c arch/x86/vmx/vmx_diag.c arch/x86/vmx/vmx_layout.c \
	arch/x86/vmx/vmx_entry.S
