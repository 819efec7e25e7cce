#!/usr/bin/env bash
# uefi.sh: the real UEFI path on Intel VT-x. Bochs runs Debian's OVMF.fd,
# which boots the stick image's BOOTX64.EFI; our loader inflates the kernel,
# which starts a VM under VT-x that passes its in-guest CPUID checks.
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
finish
