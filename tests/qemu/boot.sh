#!/usr/bin/env bash
# boot.sh: the real stick boots under QEMU/OVMF on AMD-V (-cpu EPYC, 2 CPUs,
# 512 MiB): banner, memory, CPUs from the MADT, AMD-V, a ticking timer, and
# an ACPI poweroff that ends QEMU cleanly.
. "$(dirname "$0")/../lib.sh"

MEM=512
make_stick "$WORK/stick.img" 'hostname = "boottest"
kernel.cmdline = "test.boot"'
# A VGA device gives OVMF a GOP framebuffer, so the framebuffer console runs too.
qemu_boot "$WORK/stick.img" "$WORK/serial.log" 120 --smp 2 --mem $MEM -- -device VGA
rc=$?
log=$WORK/serial.log

expect "$log" '^thinvisor loader ' "loader runs from the stick"
expect "$log" '100% [0-9]+/[0-9]+ bytes' "loader shows loading progress"
expect "$log" '==== thinvisor ' "kernel banner"
expect "$log" 'cpu: AuthenticAMD ' "banner names the CPU vendor and model"
expect "$log" 'cpus: 2 found in the ACPI MADT' "2 CPUs from the MADT"
expect "$log" 'virtualization: AMD-V present: .*NPT' "AMD-V with NPT detected"
mib=$(clean_log "$log" | sed -n 's/.*memory: \([0-9]*\) MiB RAM.*/\1/p' | head -1)
if [ -n "$mib" ] && [ $((mib * 100)) -ge $((MEM * 99)) ] && [ $((mib * 100)) -le $((MEM * 101)) ]; then
	pass "memory size $mib MiB is within 1% of $MEM MiB"
else
	fail "memory size '${mib:-none}' MiB is not within 1% of $MEM MiB"
fi
read -r ticks ms < <(clean_log "$log" | sed -n 's/.*timer: \([0-9]*\) ticks in \([0-9]*\) ms.*/\1 \2/p' | head -1)
if [ -n "${ticks:-}" ] && [ "$ticks" -ge 50 ] && [ "$ms" -ge 400 ] && [ "$ms" -le 700 ]; then
	pass "timer ticks: $ticks ticks at 100 Hz took $ms ms"
else
	fail "timer: '${ticks:-none}' ticks in '${ms:-none}' ms"
fi
expect "$log" 'fbcon: [0-9]+x[0-9]+ framebuffer at 0x[0-9a-f]+, [0-9]+x[0-9]+ text' \
	"framebuffer console on the GOP framebuffer"
expect "$log" 'power: ACPI S5 soft-off' "kernel powers off through ACPI"
[ "$rc" = 0 ] && pass "QEMU exited cleanly after poweroff" || fail "QEMU exit code $rc (timeout is 124)"

# A CPU without virtualization extensions: a clear message, and the host still runs.
qemu_boot "$WORK/stick.img" "$WORK/novirt.log" 120 --cpu qemu64,-svm
rc=$?
expect "$WORK/novirt.log" 'virtualization: none: this CPU has neither Intel VT-x nor AMD-V' \
	"no virtualization extension: clear message"
expect "$WORK/novirt.log" 'timer: [0-9]+ ticks in' "no virtualization extension: host keeps running"
[ "$rc" = 0 ] && pass "no virtualization extension: clean poweroff" || fail "novirt: QEMU exit code $rc"
finish
