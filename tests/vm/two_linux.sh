#!/usr/bin/env bash
# two_linux.sh: two Debian Linux VMs on one stick both reach userspace, pass
# their checks and power off; then the host powers off. alpha has one vCPU;
# beta has two: Linux brings its second CPU up with INIT-SIPI-SIPI, sees 2
# CPUs online and runs one busy loop per CPU at once (tv.test=parallel),
# each of which must finish and every CPU must gain user time.
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

vm_boot "$WORK/serial.log" 2400 'kernel.cmdline = "test.poweroff_idle"' --mem 1024 \
	"$(vmx_linux alpha 256)" "$(vmx_linux_smp beta 256 2 tv.test=parallel:3)"
rc=$?
log=$WORK/serial.log

expect "$log" "vm alpha: started: 256 MiB, 1 vCPU, $HV_NAME" "alpha: started on $HV_NAME"
expect "$log" "vm beta: started: 256 MiB, 2 vCPU, $HV_NAME" "beta: started with 2 vCPUs on $HV_NAME"
expect "$log" 'vm beta: vCPU 1 started by SIPI' "beta: Linux starts CPU 1 with INIT-SIPI-SIPI"
expect "$log" '\[beta\] TV-VERDICT: PASS cpus=2 .*parallel=3s:2loops:cpu0:[0-9]+,cpu1:[0-9]+' \
	"beta: 2 CPUs online, a parallel workload finishes, both CPUs ran user code"
for vm in alpha beta; do
	expect "$log" "\\[$vm\\] TV-VERDICT: PASS" "$vm: Linux reaches userspace and passes"
	expect "$log" "vm $vm: off \\(guest powered off" "$vm: powered off"
done
t0=$(host_time "$log" 'vm beta: started')
t1=$(host_time "$log" '\[beta\] TV-GUEST: userspace reached')
[ -n "$t0" ] && [ -n "$t1" ] &&
	echo "INFO: $HV_NAME: 2-vCPU Linux from VM start to userspace in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s of host time (beside a 1-vCPU Linux)"
expect_poweroff "$rc" "$log" "host powered off after both VMs"
finish
