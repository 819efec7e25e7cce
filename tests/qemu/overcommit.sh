#!/usr/bin/env bash
# overcommit.sh: guest RAM backed on first touch lets VMs add up to more than
# the host has. Four 256 MiB Debian Linux VMs (each reserving 128 MB) on a
# host QEMU gives 768 MiB: all reach userspace, each holds 16 MiB of its own
# random bytes in RAM while the others write theirs and finds them unchanged.
# A fifth VM whose 256 MB reservation cannot be taken is refused with
# file:line, and the four run on. The log says how much of each VM's RAM was
# ever backed, and the total must stay below what the host had. Second
# boot: a VM that touches more RAM than the host has left stops alone.
. "$(dirname "$0")/../lib.sh"

vms=()
for n in a b c d; do
	vms+=("$(vmx_linux "$n" 256 'tv.test=pattern:16:4' 'sched.mem.min = "128"')")
done
greedy=$(vmx_linux greedy 256 '' 'sched.mem.min = "256"' 'autostart.order = "9"')
vm_boot "$WORK/log" 400 'kernel.cmdline = "test.poweroff_idle sched.stats=5"' --mem 768 "${vms[@]}" "$greedy"
rc=$?
log=$WORK/log
expect_poweroff "$rc" "$log" "host powered off after the VMs"
expect "$log" 'vms/greedy\.vmx:7: sched\.mem\.min 256 MB cannot be reserved: the host has [0-9]+ MiB free for VMs' \
	"a reservation the host cannot set aside: refused with file:line"
expect "$log" 'vm greedy \(vms/greedy\.vmx\): not started' "that VM alone is not started"
for n in a b c d; do
	expect "$log" "\\[$n\\] TV-GUEST: pattern written: 16 MiB" "$n: reached userspace and wrote its pattern"
	expect "$log" "\\[$n\\] TV-VERDICT: PASS .*pattern=kept" "$n: its pattern is intact"
done
expect_not "$log" 'out of host memory|PANIC' "no VM ran out of memory, no panic"
expect "$log" 'vm a: memory: [0-9]+ of 256 MiB backed, 128 MB reserved \([0-9]+ MiB of it not used yet\), overhead [0-9]+ KiB' \
	"per-VM memory figures in the log with the scheduler's (sched.stats)"
# What the four had backed at their end, against what the host could give.
backed=$(clean_log "$log" | sed -n 's/.*vm [abcd]: memory released: \([0-9]*\) of its 256 MiB.*/\1/p')
total=$(echo "$backed" | awk '{ s += $1 } END { print s + 0 }')
free=$(clean_log "$log" | sed -n 's/.*memory: [0-9]* MiB RAM, [0-9]* MiB usable, \([0-9]*\) MiB free.*/\1/p' | head -1)
echo "overcommit: backed $(echo $backed | tr ' ' '+') = $total MiB of 1024 MiB configured; the host had $free MiB free"
[ "$(echo "$backed" | wc -w)" = 4 ] && [ "$total" -gt 0 ] && [ "$total" -lt "$free" ] && [ "${free:-0}" -lt 1024 ] &&
	pass "1024 MiB of VMs ran in $free MiB: $total MiB backed" || fail "backed: '$backed' free: '$free'"

# ---- the host runs short: only the VM that wants more than there is stops ----
# A 224 MiB VM touches all of its RAM on a 256 MiB host where a 64 MiB VM
# reserved all of its own and holds it for 3 s: the first stops when no
# memory is left for it, the second (touching all of its RAM too) and the
# host go on.
hungry=$(vmx hungry 'memsize = "224"' 'guest.kernel = "touch.elf"' 'guest.cmdline = "touch.mib=224"')
kept=$(vmx_guest kept touch 'touch.mib=64 touch.hold=3000' 'sched.mem.min = "64"')
vm_boot "$WORK/short.log" 120 'kernel.cmdline = "test.poweroff_idle"' --mem 256 "$kept" "$hungry"
rc=$?
log=$WORK/short.log
expect_poweroff "$rc" "$log" "short host: powered off after both VMs"
expect "$log" 'vm hungry: crashed \(out of host memory: guest RAM at 0x[0-9a-f]+ cannot be backed\)' \
	"the VM that outgrew the host stops, saying why"
expect "$log" '\[kept\] TV-TEST touch: PASS' "the VM with a reservation gets all of it and passes"
expect_not "$log" 'PANIC' "no host panic"
finish
