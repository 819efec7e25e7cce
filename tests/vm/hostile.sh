#!/usr/bin/env bash
# hostile.sh: hostile and probing guests share one host. A triple fault
# crashes only its VM (registers logged); accesses to unmapped MMIO, unknown
# MSRs and empty ports get what hardware would give; a guest spinning with
# interrupts off is preempted; timers, FPU state, CPUID and a guest reset
# behave. A VM whose state the CPU refuses at entry (test.corrupt_vm injects
# one) crashes with the broken rule named; one whose exception frame would
# go outside its RAM (badstack) is stopped with the address named, not
# emulated as MMIO. Every test guest reports from
# inside, and a Debian Linux VM on the same host still reaches userspace
# (LINUX=0 leaves it out, for quick runs).
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

LINUX=${LINUX:-1}
guests=(triple mmio msr ioport timer fpu cpuid reboot realmode)
vms=()
for g in "${guests[@]}" spin; do
	# fpu's default 600000 exits take long when ten VMs share one CPU
	vms+=("$(vmx_guest "$g" "$g" "$([ "$g" = fpu ] && echo fpu.iters=20000)")")
done
vms+=("$(vmx_guest badstate cpuid)")
vms+=("$(vmx_guest badstack triple triple.stack=0x10000000)")
if [ "$LINUX" = 1 ]; then
	vms+=("$(vmx_linux linux 256)")
	last='\[linux\] TV-VERDICT'
else
	last='vm fpu: off'   # the longest-running guest
fi
# spin never stops: end the run once the last verdict is in.
vm_boot "$WORK/serial.log" 900 'kernel.cmdline = "test.corrupt_vm=badstate"' --until "$last" \
	--mem 1152 "${vms[@]}"
rc=$?
log=$WORK/serial.log

[ "$rc" = 0 ] && pass "the run reached its last verdict ($HV_NAME)" || fail "no last verdict (rc $rc)"
expect "$log" "vm triple: started: 64 MiB, 1 vCPU, $HV_NAME" "VMs run on $HV_NAME"
expect "$log" '\[triple\] TV-TEST triple: about to triple fault' "triple: guest ran up to the fault"
expect "$log" 'vm triple: crashed \(triple fault \(shutdown\)\)' "triple: VM marked crashed"
expect "$log" 'vm triple: vCPU 0: triple fault' "triple: crash reported with the vCPU"
expect "$log" '^\[ *[0-9.]+\]   RIP [0-9a-f]{16} +RSP [0-9a-f]{16}' "triple: guest registers logged"
expect "$log" '\[badstack\] TV-TEST triple: about to take #UD on a stack at 0x10000000' \
	"badstack: guest ran up to the #UD"
expect "$log" 'vm badstack: crashed \(delivering an interrupt or exception touched 0xfffff[0-9a-f]{2},' \
	"badstack: a #UD whose frame would go to device space stops the VM, address named"
expect_not "$log" '\[badstack\] TV-TEST triple: FAIL' "badstack: the #UD did not come back"
for g in mmio msr ioport timer fpu cpuid reboot realmode; do
	expect "$log" "\\[$g\\] TV-TEST $g: PASS" "$g: in-guest checks pass"
	expect "$log" "vm $g: off \\(guest powered off" "$g: VM powered off normally"
done
expect "$log" 'vm reboot: reset requested by the guest; restarting' "reboot: the host restarts the VM"
expect "$log" '\[reboot\] TV-TEST reboot: second boot after the reset' "reboot: the guest boots again"
expect "$log" 'vm msr: rdmsr 0x12345678 \(0\): not allowed, #GP' "msr: unknown MSR logged by the host"
if [ "$HV" = svm ]; then
	refused='VMRUN refused the guest state \(long mode paging without CR4\.PAE\)'
else
	refused='VM entry refused the guest state \(guest CR4: PAE clear with IA-32e mode guest\)'
fi
expect "$log" "vm badstate: crashed \\($refused\\)" "bad guest state: VM crashed, the rule named"
expect_not "$log" '\[badstate\]' "bad guest state: the guest never ran"
expect "$log" '\[spin\] TV-TEST spin: spinning with interrupts off' "spin: guest is spinning"
expect_not "$log" 'vm spin: (off|crashed)' "spin: VM keeps running (preempted, not killed)"
if [ "$LINUX" = 1 ]; then
	expect "$log" '\[linux\] TV-VERDICT: PASS' "Linux VM on the same host passes its checks"
fi
expect_not "$log" 'PANIC' "no host panic"
finish
