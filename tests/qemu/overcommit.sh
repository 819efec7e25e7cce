#!/usr/bin/env bash
# overcommit.sh: guest RAM backed on first touch, zero pages reclaimed and
# equal pages shared let VMs hold more than the host has (docs/vmm.md,
# "Guest memory"). Four 256 MiB Debian Linux VMs on a host QEMU gives
# 768 MiB, all of one sharing domain (sched.mem.pshare.salt): each boots,
# writes 110 MiB of zeros (not d) and 32 MiB of pages that are the same in
# every VM; the host reclaims the first and shares the second. Each then writes
# 8 MiB of its own random bytes over the shared pages and, seconds later,
# finds its own bytes kept and the rest unchanged: no write is seen in
# another VM. What the four are granted adds up to more than the host had
# free. a, b and c reserve 192 MB each; d reserves nothing and has few
# shares. The host is told to keep 480 MiB free (mem.minfree), so it runs
# short: d is ballooned, the others are not. A fifth VM whose reservation
# cannot be taken is refused with file:line. Second boot: a VM that
# touches more RAM than the host has left stops alone.
. "$(dirname "$0")/../lib.sh"

vms=()
for n in a b c d; do
	# d may be ballooned: it keeps its guest memory free (no zeros).
	if [ $n = d ]; then extra='sched.mem.shares = "100"' zero=0; else extra='sched.mem.min = "192"' zero=110; fi
	vms+=("$(vmx_linux "$n" 256 "tv.virtio=1 tv.test=share:32:2:8:$zero" "$extra" \
		'sched.mem.pshare.salt = "overcommit"' 'virtioBalloon.present = "TRUE"')")
done
greedy=$(vmx_linux greedy 640 '' 'sched.mem.min = "600"' 'autostart.order = "9"')
vm_boot "$WORK/log" 400 \
	'kernel.cmdline = "test.poweroff_idle sched.stats=5 mem.scan_pct=10 mem.minfree=480"' \
	--mem 768 "${vms[@]}" "$greedy"
rc=$?
log=$WORK/log
expect_poweroff "$rc" "$log" "host powered off after the VMs"
expect "$log" 'vms/greedy\.vmx:7: sched\.mem\.min 600 MB cannot be reserved: the host has [0-9]+ MiB free for VMs' \
	"a reservation the host cannot set aside: refused with file:line"
expect "$log" 'vm greedy \(vms/greedy\.vmx\): not started' "that VM alone is not started"
for n in a b c d; do
	expect "$log" "\\[$n\\] TV-GUEST: same written: 32 MiB" "$n: reached userspace and wrote the same pages as the others"
	expect "$log" "\\[$n\\] TV-VERDICT: PASS .*share=kept" "$n: its own bytes kept, the shared ones unchanged"
done
expect_not "$log" 'out of host memory|PANIC' "no VM ran out of memory, no panic"
expect "$log" 'vm a: memory: granted [0-9]+ of 256 MiB \(own [0-9]+, shared [0-9]+, zero [0-9]+\), ballooned [0-9]+ MiB, 192 MB reserved \([0-9]+ MiB of it not used yet\), overhead [0-9]+ KiB' \
	"per-VM memory figures in the log with the scheduler's (sched.stats)"

# Each VM's last figures (logged as it is released).
last() { clean_log "$log" | sed -n "s/.*vm $1: memory: granted \([0-9]*\) of 256 MiB (own \([0-9]*\), shared \([0-9]*\), zero \([0-9]*\)), ballooned \([0-9]*\) MiB.*/\\$2/p" | tail -1; }
granted=0 own=0
for n in a b c d; do
	granted=$((granted + $(last $n 1))) own=$((own + $(last $n 2)))
	[ "$(last $n 3)" -ge 32 ] && pass "$n: $(last $n 3) MiB of its pages shared" ||
		fail "$n: shared '$(last $n 3)' MiB, want >= 32"
done
free=$(clean_log "$log" | sed -n 's/.*memory: [0-9]* MiB RAM, [0-9]* MiB usable, \([0-9]*\) MiB free.*/\1/p' | head -1)
echo "overcommit: granted $granted MiB to four VMs, $own MiB of it their own frames; the host had $free MiB free"
[ "$granted" -gt "${free:-0}" ] && [ "$own" -lt "$free" ] &&
	pass "more granted ($granted MiB) than the host had free ($free MiB)" ||
	fail "granted $granted MiB, own $own MiB, free '$free' MiB"
# Short of its free-memory target, the host balloons the VM above its entitlement: d.
expect "$log" 'vm d: balloon target [1-9][0-9]* MiB' "host short: the VM with the fewest shares gets a balloon target"
dball=$(clean_log "$log" | sed -n 's/.*vm d: memory: granted .* ballooned \([0-9]*\) MiB.*/\1/p' | sort -n | tail -1)
[ "${dball:-0}" -gt 0 ] && pass "d's balloon took $dball MiB back" || fail "d ballooned '${dball:-}' MiB"
expect_not "$log" 'vm [abc]: balloon target [1-9]' "the VMs within their entitlement are not ballooned"

# ---- the host runs short: only the VM that wants more than there is stops ----
# A 224 MiB VM touches all of its RAM on a 256 MiB host where a 64 MiB VM
# reserved all of its own and holds it for 3 s: the first stops when no
# memory is left for it, the second (touching all of its RAM too) and the
# host go on.
# hungry writes every page of its RAM (touch.fill), so it cannot make do
# with a 4 KiB page per chunk; neither VM is scanned (sched.mem.pshare).
hungry=$(vmx hungry 'memsize = "224"' 'guest.kernel = "touch.elf"' 'guest.cmdline = "touch.mib=224 touch.fill=1"' \
	'sched.mem.pshare.enable = "FALSE"')
kept=$(vmx_guest kept touch 'touch.mib=64 touch.hold=3000' 'sched.mem.min = "64"' \
	'sched.mem.pshare.enable = "FALSE"')
vm_boot "$WORK/short.log" 120 'kernel.cmdline = "test.poweroff_idle"' --mem 256 "$kept" "$hungry"
rc=$?
log=$WORK/short.log
expect_poweroff "$rc" "$log" "short host: powered off after both VMs"
expect "$log" 'vm hungry: crashed \(out of host memory: guest RAM at 0x[0-9a-f]+ cannot be backed\)' \
	"the VM that outgrew the host stops, saying why"
expect "$log" '\[kept\] TV-TEST touch: PASS' "the VM with a reservation gets all of it and passes"
expect_not "$log" 'PANIC' "no host panic"
finish
