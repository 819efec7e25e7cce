#!/usr/bin/env bash
# sched.sh: the proportional-share scheduler on a 2-CPU QEMU host (AMD-V),
# measured from inside Debian Linux guests that busy-loop and print their
# cumulative progress every second (tv.test=cpuhog in tests/guest/init):
#   shares  two VMs pinned to CPU 1 with sched.cpu.shares 2000 and 1000
#           progress 2:1 (within 15%);
#   limit   a VM with 3000 shares limited to half a CPU (sched.cpu.max = half
#           the MHz) leaves a 1000-share VM on the same CPU half of it, not a
#           quarter, and alone on the CPU it is still held to half (%RUN);
#   admission  four reserving VMs: the one that no longer fits is refused.
# Rates are compared as fractions of each VM's own speed alone (staggered).
# The host logs %RUN/%RDY/%WAIT every 5 s (sched.stats=5).
. "$(dirname "$0")/../lib.sh"

# hog_vm NAME AFFINITY [key = "value"...]: a 1-vCPU Linux VM that busy-loops
# (stagger_stick sets for how long).
hog_vm() {
	local name=$1 aff=$2
	shift 2
	vmx "$name" 'memsize = "128"' 'guest.kernel = "vmlinuz"' 'guest.initrd = "initrd.img"' \
		"guest.cmdline = \"console=ttyS0 quiet tv.cpus=1 tv.mem=128 tv.hv=1 tv.test=cpuhog:30\"" \
		"sched.cpu.affinity = \"$aff\"" "$@"
}

# rate LOG VM T0 T1: progress per host second of VM between host times T0 and T1,
# from its first and last progress lines inside that window.
rate() {
	clean_log "$1" | sed -n "s/^\[ *\([0-9.]*\)\] \[$2\] TV-GUEST: progress \([0-9]*\).*/\1 \2/p" |
		awk -v t0="$3" -v t1="$4" '$1 >= t0 && $1 <= t1 { if (!n++) { a = $1; x = $2 } b = $1; y = $2 }
			END { if (n >= 2 && b > a) printf "%.1f\n", (y - x) / (b - a); else print 0 }'
}

# window LOG VM...: the host-time span in which every VM was printing progress,
# less a second at each end.
window() {
	local log=$1 lo=0 hi=1e9 vm f l
	shift
	for vm in "$@"; do
		f=$(host_time "$log" "\\[$vm\\] TV-GUEST: progress")
		l=$(clean_log "$log" | grep -E "\\[$vm\\] TV-GUEST: progress" | tail -1 |
			sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
		[ -n "$f" ] && [ -n "$l" ] || { echo "0 0"; return; }
		lo=$(awk -v a="$lo" -v b="$f" 'BEGIN { m = a; if (b + 0 > a + 0) m = b; print m }')
		hi=$(awk -v a="$hi" -v b="$l" 'BEGIN { m = a; if (b + 0 < a + 0) m = b; print m }')
	done
	awk -v a="$lo" -v b="$hi" 'BEGIN { print a + 1, b - 1 }'
}

# within A B LO HI: A/B lies in [LO, HI].
within() { awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(b > 0 && a / b >= lo && a / b <= hi) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = 0; if (b + 0 > 0) r = a / b; printf "%.2f", r }'; }

settings='kernel.cmdline = "test.poweroff_idle sched.stats=5"'

# Each guest's loop rate also depends on how fast the emulator runs that VM
# (it differs from VM to VM and boot to boot by up to a third under TCG), so
# rates under contention are compared with the same VM's rate alone on the
# CPU, in the same run. Two VMs on CPU 1: EARLY hogs 30 s at once and is
# alone until LATE, which sleeps 12 s first, joins; LATE hogs 35 s and is
# alone again after EARLY is done.
# staggered LOG LATE EARLY: sets late, late_solo, early, early_solo (rates)
# and t0, t1 (the contended window).
staggered() {
	local log=$1 lf ll ef el
	lf=$(host_time "$log" "\\[$2\\] TV-GUEST: progress")
	ef=$(host_time "$log" "\\[$3\\] TV-GUEST: progress")
	ll=$(clean_log "$log" | grep -E "\\[$2\\] TV-GUEST: progress" | tail -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	el=$(clean_log "$log" | grep -E "\\[$3\\] TV-GUEST: progress" | tail -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	read -r t0 t1 < <(window "$log" "$2" "$3")
	late=$(rate "$log" "$2" "$t0" "$t1") early=$(rate "$log" "$3" "$t0" "$t1")
	late_solo=$(rate "$log" "$2" "$(awk -v a="${el:-0}" 'BEGIN { print a + 1 }')" "${ll:-0}")
	early_solo=$(rate "$log" "$3" "${ef:-0}" "$(awk -v a="${lf:-0}" 'BEGIN { print a - 1 }')")
}
# stagger_stick IMG LATE_VMX EARLY_VMX: a stick with the hog lengths and delay above.
stagger_stick() {
	sed -i 's/tv.test=cpuhog:[0-9]*/tv.test=cpuhog:35:12/' "$2"
	sed -i 's/tv.test=cpuhog:[0-9]*/tv.test=cpuhog:30/' "$3"
	make_stick "$1" "$settings" "$2" "$3"
}

# ---- shares 2000:1000 on one CPU ----
stagger_stick "$WORK/shares.img" "$(hog_vm high 1 'sched.cpu.shares = "2000"')" \
	"$(hog_vm normal 1 'sched.cpu.shares = "1000"')"
qemu_boot "$WORK/shares.img" "$WORK/shares.log" 600 --smp 2 --mem 512
rc=$?
log=$WORK/shares.log
expect "$log" 'vmm: AMD-V ready on 2 of 2 CPUs' "shares: 2 CPUs run vCPUs"
staggered "$log" high normal
fh=$(ratio "$late" "$late_solo") fl=$(ratio "$early" "$early_solo")
echo "INFO: shares 2000:1000 on CPU 1, host time $t0..$t1 s: progress/s $late (alone $late_solo: $fh) vs $early (alone $early_solo: $fl)"
if within "$fh" "$fl" 1.70 2.30 && awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 8) }'; then
	pass "shares 2000:1000 give $(ratio "$fh" "$fl"):1 of each VM's own speed (2:1 within 15%)"
else
	fail "shares 2000:1000 give $(ratio "$fh" "$fl"):1 of each VM's own speed over $t0..$t1 s, want 1.70..2.30"
fi
expect "$log" 'sched: high vCPU 0: %RUN [0-9.]+ %RDY [0-9.]+ %WAIT' "per-vCPU %RUN/%RDY/%WAIT in the log"
clean_log "$log" | grep -E 'sched: (high|normal) vCPU 0: %RUN' | tail -2 | sed 's/^/INFO: /'
for vm in high normal; do
	expect "$log" "\\[$vm\\] TV-VERDICT: PASS" "shares: $vm passes its in-guest checks"
done
[ "$rc" = 0 ] && pass "shares: host powered off after both VMs" || fail "shares: QEMU exit code $rc"

# ---- a limit of half a CPU ----
mhz=$(clean_log "$log" | sed -n 's/.*timer: TSC \([0-9]*\)\.[0-9]* MHz.*/\1/p' | head -1)
if [ -z "$mhz" ]; then
	fail "no TSC frequency in the log"
	finish
fi

# A VM with 3000 shares but a limit of half a CPU joins a 1000-share VM on
# CPU 1: shares alone would leave the other a quarter of the CPU, the limit
# leaves it half. The limit is in MHz of this run's own TSC calibration (it
# varies from boot to boot under emulation), so the expected share f of the
# capped VM is computed from it. The capped VM alone is held to the same rate.
stagger_stick "$WORK/limit.img" \
	"$(hog_vm capped 1 'sched.cpu.shares = "3000"' "sched.cpu.max = \"$((mhz / 2))\"")" \
	"$(hog_vm filler 1 'sched.cpu.shares = "1000"')"
qemu_boot "$WORK/limit.img" "$WORK/limit.log" 600 --smp 2 --mem 512
log=$WORK/limit.log
run_mhz=$(clean_log "$log" | sed -n 's/.*sched: [0-9]* CPUs of \([0-9]*\) MHz.*/\1/p' | head -1)
staggered "$log" capped filler
# The capped VM's share: what the limit allows, at most the 3/4 its shares give.
f=$(awk -v l=$((mhz / 2)) -v m="${run_mhz:-0}" 'BEGIN { f = 0; if (m > 0) f = l / m; if (f > 0.75) f = 0.75; printf "%.3f", f }')
left=$(ratio "$early" "$early_solo")
echo "INFO: limit $((mhz / 2)) MHz on $run_mhz MHz CPUs: the 1000-share VM keeps $left of its speed (limit says $(awk -v f="$f" 'BEGIN { print 1 - f }'), shares alone 0.25); the capped VM $late under contention, $late_solo alone"
if within "$left" "$(awk -v f="$f" 'BEGIN { print 1 - f }')" 0.85 1.15; then
	pass "a limit of half a CPU holds a 3000-share VM to $(awk -v l="$left" 'BEGIN { printf "%.2f", 1 - l }') of the CPU ($f within 15%)"
else
	fail "the 1000-share VM keeps $left of its speed, want $(awk -v f="$f" 'BEGIN { print 1 - f }') within 15%"
fi
# Alone, its in-guest rate says little (an emulated CPU that idles half the
# time runs the other half slower), so the host's accounting speaks: the
# last 5 s sample while it hogged alone.
# A sample that began after the other VM stopped and ended while this one hogged.
cl=$(clean_log "$log" | grep -E '\[capped\] TV-GUEST: progress' | tail -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
alone=$(clean_log "$log" | sed -n 's/^\[ *\([0-9.]*\)\] sched: capped vCPU 0: %RUN \([0-9.]*\) .*%MLMTD \([0-9.]*\)).*/\1 \2 \3/p' |
	awk -v a="${t1:-0}" -v b="${cl:-0}" '$1 >= a + 7 && $1 <= b { r = $2 " " $3 } END { print r }')
read -r run mlmtd <<< "$alone"
echo "INFO: the capped VM alone on an idle CPU: %RUN ${run:-?} %MLMTD ${mlmtd:-?} (in-guest: $late_solo/s alone vs $late/s beside the other)"
want=$(awk -v l=$((mhz / 2)) -v m="${run_mhz:-1}" 'BEGIN { printf "%.1f", 100 * l / m }')
if [ -n "$run" ] && awk -v r="$run" -v w="$want" 'BEGIN { exit !(r >= w - 5 && r <= w + 5) }'; then
	pass "the limit holds the VM to half a CPU alone on an idle CPU too (%RUN $run of $want, %MLMTD $mlmtd)"
else
	fail "the capped VM alone: %RUN '${run:-none}', want $want within 5 points"
fi
for vm in capped filler; do
	expect "$log" "\\[$vm\\] TV-VERDICT: PASS" "limit: VM $vm passes its in-guest checks"
done

# ---- admission control: reservations beyond the host's 2 CPUs ----
# Four 1-vCPU VMs each reserve r = 0.72 of a CPU at the MHz seen in the first
# run. The TSC calibration varies from boot to boot under emulation (up to
# 30% on a busy host), so which VM no longer fits is computed from this run's
# own "2 CPUs of N MHz": VM k starts if k * r <= 2 * N, else it is refused at
# its sched.cpu.min line. Whatever N turns out to be, the first two fit and
# the fourth does not.
r=$((mhz * 72 / 100))
for k in 1 2 3 4; do
	vmx_guest resv$k cpuid >/dev/null
	echo "sched.cpu.min = \"$r\"" >> "$WORK/vms/resv$k.vmx"
done
make_stick "$WORK/admit.img" "$settings" "$WORK"/vms/resv[1-4].vmx
qemu_boot "$WORK/admit.img" "$WORK/admit.log" 120 --smp 2 --mem 512
log=$WORK/admit.log
n=$(clean_log "$log" | sed -n 's/.*sched: 2 CPUs of \([0-9]*\) MHz.*/\1/p' | head -1)
echo "INFO: admission: reservations of $r MHz on 2 CPUs of ${n:-?} MHz"
admitted=0
for k in 1 2 3 4; do
	if [ -n "$n" ] && [ $(((admitted + 1) * r)) -le $((2 * n)) ]; then
		admitted=$((admitted + 1))
		expect "$log" "\\[resv$k\\] TV-TEST cpuid: PASS" "admission: resv$k fits ($((admitted * r)) of $((2 * n)) MHz) and runs"
	else
		expect "$log" "vms/resv$k.vmx:5: reservation $r MHz exceeds the [0-9]+ MHz unreserved of 2 CPUs" \
			"admission: resv$k does not fit and is refused at its key"
		expect "$log" "vm resv$k \\(vms/resv$k.vmx\\): not started: its CPU settings cannot be met" \
			"admission: resv$k is not started"
	fi
done
[ "$admitted" -ge 2 ] && [ "$admitted" -le 3 ] || fail "admission: $admitted VMs fit, expected 2 or 3"
finish
