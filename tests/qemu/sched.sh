#!/usr/bin/env bash
# sched.sh: the proportional-share scheduler on a 2-CPU QEMU host (AMD-V),
# measured from inside Debian Linux guests that busy-loop and print their
# cumulative progress every second (tv.test=cpuhog in tests/guest/init):
#   shares  two VMs pinned to CPU 1 with sched.cpu.shares 2000 and 1000
#           progress 2:1 (within 15%);
#   limit   a VM limited to half a CPU (sched.cpu.max = half the MHz) progresses
#           at half the rate of an unlimited VM alone on the other CPU.
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
		lo=$(awk -v a="$lo" -v b="$f" 'BEGIN { print (a > b ? a : b) }')
		hi=$(awk -v a="$hi" -v b="$l" 'BEGIN { print (a < b ? a : b) }')
	done
	awk -v a="$lo" -v b="$hi" 'BEGIN { print a + 1, b - 1 }'
}

# within A B LO HI: A/B lies in [LO, HI].
within() { awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(b > 0 && a / b >= lo && a / b <= hi) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

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
make_stick "$WORK/limit.img" "$settings" \
	"$(hog_vm full 0)" "$(hog_vm half 1 "sched.cpu.max = \"$((mhz / 2))\"")"
qemu_boot "$WORK/limit.img" "$WORK/limit.log" 600 --smp 2 --mem 512
log=$WORK/limit.log
read -r t0 t1 < <(window "$log" full half)
full=$(rate "$log" full "$t0" "$t1") half=$(rate "$log" half "$t0" "$t1")
echo "INFO: limit $((mhz / 2)) MHz of $mhz: progress/s $half vs unlimited $full (ratio $(ratio "$half" "$full"))"
if within "$half" "$full" 0.425 0.575; then
	pass "a limit of half a CPU gives $(ratio "$half" "$full") of an unlimited VM's progress (0.5 within 15%)"
else
	fail "limited VM progress ratio $(ratio "$half" "$full"), want 0.425..0.575"
fi
expect "$log" "\\[half\\] TV-VERDICT: PASS" "limit: the limited VM passes its in-guest checks"
finish
