#!/usr/bin/env bash
# uefi.sh: the real UEFI path on Intel VT-x. Bochs runs Debian's OVMF.fd,
# which boots the stick image's BOOTX64.EFI; our loader inflates the kernel,
# which starts a VM under VT-x that passes its in-guest CPUID checks. Then,
# with VT-x locked off as firmware leaves it when it is disabled in setup
# (OVMF leaves IA32_FEATURE_CONTROL open, so the kernel can play firmware):
# a clear message, the VM is not started, the host still runs.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "test.poweroff_idle"' "$(vmx_guest cpuid cpuid)"
# Under Bochs, OVMF installs no ACPI tables (it takes them from QEMU's fw_cfg),
# so the host has no \_S5 to power off with and halts: the run ends on that line.
run_until "$WORK/serial.log" '^\[ *[0-9.]+\] power: ' "$TOP/scripts/bochs.sh" --uefi "$WORK/stick.img" \
	--log "$WORK/serial.log" --timeout 300 2>"$WORK/bochs.err"
rc=$?
log=$WORK/serial.log
expect "$log" 'boot: uefi loader' "booted through our UEFI loader under OVMF"
expect "$log" 'virtualization: Intel VT-x present: .*EPT' "VT-x with EPT detected"
expect "$log" 'vm cpuid: started: 64 MiB, 1 vCPU, Intel VT-x' "the VM runs on VT-x"
expect "$log" '\[cpuid\] TV-TEST cpuid: PASS' "the guest passes its checks"
[ "$rc" = 0 ] && pass "the run reached the host's poweroff step" || fail "Bochs exit code $rc"
expect "$log" 'test.poweroff_idle: no VM left running' "host ends the run once the VM is done"

make_stick "$WORK/off.img" 'kernel.cmdline = "test.vmx_locked_off test.poweroff_idle"' \
	"$(vmx_guest cpuid cpuid)"
run_until "$WORK/off.log" '^\[ *[0-9.]+\] power: ' "$TOP/scripts/bochs.sh" --uefi "$WORK/off.img" \
	--log "$WORK/off.log" --timeout 300 2>>"$WORK/bochs.err"
rc=$?
log=$WORK/off.log
expect "$log" 'virtualization: Intel VT-x UNUSABLE: disabled by firmware \(IA32_FEATURE_CONTROL locked\); enable VT-x in setup' \
	"VT-x locked off: the banner says so and what to do"
expect "$log" 'vm cpuid \(vms/cpuid.vmx\): not started: .*disabled by firmware' \
	"VT-x locked off: the VM is not started, with the reason"
[ "$rc" = 0 ] && pass "VT-x locked off: the host runs on to its poweroff step" || fail "Bochs exit code $rc"
finish
