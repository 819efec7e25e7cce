#!/usr/bin/env bash
# sched.sh: the proportional-share scheduler on a 2-CPU QEMU host (AMD-V),
# measured from inside Debian Linux guests that busy-loop and print their
# cumulative progress every second (tv.test=cpuhog in tests/guest/init):
#   shares  two VMs pinned to CPU 1 with sched.cpu.shares 2000 and 1000
#           progress 2:1 (within 15%);
#   limit   a VM with 3000 shares limited to half a CPU (sched.cpu.max = half
#           the MHz) against a 1000-share VM on the same CPU progresses 1:1,
#           not 3:1 (a limit on an idle host is a unit test of the policy).
# The host logs %RUN/%RDY/%WAIT every 5 s (sched.stats=5).
. "$(dirname "$0")/../lib.sh"

HOG=${HOG:-25}

# hog_vm NAME AFFINITY [key = "value"...]: a 1-vCPU Linux VM that busy-loops HOG s.
hog_vm() {
	local name=$1 aff=$2
	shift 2
	vmx "$name" 'memsize = "128"' 'guest.kernel = "vmlinuz"' 'guest.initrd = "initrd.img"' \
		"guest.cmdline = \"console=ttyS0 quiet tv.cpus=1 tv.mem=128 tv.hv=1 tv.test=cpuhog:$HOG\"" \
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

# ---- shares 2000:1000 on one CPU ----
make_stick "$WORK/shares.img" "$settings" \
	"$(hog_vm high 1 'sched.cpu.shares = "2000"')" "$(hog_vm normal 1 'sched.cpu.shares = "1000"')"
qemu_boot "$WORK/shares.img" "$WORK/shares.log" 600 --smp 2 --mem 512
rc=$?
log=$WORK/shares.log
expect "$log" 'vmm: AMD-V ready on 2 of 2 CPUs' "shares: 2 CPUs run vCPUs"
read -r t0 t1 < <(window "$log" high normal)
hi=$(rate "$log" high "$t0" "$t1") lo=$(rate "$log" normal "$t0" "$t1")
echo "INFO: shares 2000:1000 on CPU 1: progress/s $hi vs $lo (ratio $(ratio "$hi" "$lo")) over host time $t0..$t1 s"
if within "$hi" "$lo" 1.70 2.30 && awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 8) }'; then
	pass "shares 2000:1000 give progress $(ratio "$hi" "$lo"):1 (2:1 within 15%)"
else
	fail "shares 2000:1000 give progress ratio $(ratio "$hi" "$lo") over ${t0}..${t1} s, want 1.70..2.30"
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

# A VM with 3000 shares but a limit of half a CPU against one with 1000, both
# on CPU 1: shares alone would give it 3/4 of the CPU, the limit gives 1/2. The
# CPU never idles, so both guests run under the same emulation conditions.
# The limit is in MHz of this run's own TSC calibration (it varies from boot to
# boot under emulation), so the expected share f is computed from it.
make_stick "$WORK/limit.img" "$settings" \
	"$(hog_vm capped 1 'sched.cpu.shares = "3000"' "sched.cpu.max = \"$((mhz / 2))\"")" \
	"$(hog_vm filler 1 'sched.cpu.shares = "1000"')"
qemu_boot "$WORK/limit.img" "$WORK/limit.log" 600 --smp 2 --mem 512
log=$WORK/limit.log
run_mhz=$(clean_log "$log" | sed -n 's/.*sched: [0-9]* CPUs of \([0-9]*\) MHz.*/\1/p' | head -1)
read -r t0 t1 < <(window "$log" capped filler)
capped=$(rate "$log" capped "$t0" "$t1") filler=$(rate "$log" filler "$t0" "$t1")
# Its share: what the limit allows, at most the 3/4 its shares give.
want=$(awk -v l=$((mhz / 2)) -v m="${run_mhz:-0}" 'BEGIN { f = 0; if (m > 0) f = l / m; if (f > 0.75) f = 0.75; printf "%.3f", f / (1 - f) }')
got=$(ratio "$capped" "$filler")
clean_log "$log" | grep -E 'sched: capped vCPU 0: %RUN' | tail -1 | sed 's/^/INFO: /'
echo "INFO: limit $((mhz / 2)) MHz on $run_mhz MHz CPUs, shares 3000:1000: progress/s $capped vs $filler (ratio $got, limit says $want, shares alone 3)"
if within "$got" "$want" 0.85 1.15; then
	pass "a limit of half a CPU holds a 3000-share VM to $got of the other's progress ($want within 15%)"
else
	fail "limited VM progress ratio $got, want $want within 15%"
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
