#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bare-linux.sh: boot the test guest (assets/guest/vmlinuz + initrd.img) directly
# under QEMU TCG, without thinvisor, for comparison figures.
#
#   scripts/bare-linux.sh [options]
#     --smp N          CPUs (default 2)
#     --mem MiB        memory (default 512)
#     --cpu MODEL      QEMU CPU model (default EPYC, the model thinvisor runs on)
#     --log FILE       also write the serial console to FILE (CRs stripped)
#     --timeout SEC    kill QEMU after SEC seconds (default 300; exit code 124)
#     --append EXTRA   more kernel command line, e.g. "quiet tv.sleep=5"
#     --qemu ARGS      more QEMU arguments (split at spaces), e.g. a -drive and a
#                      -device virtio-blk-pci
#     --kernel FILE, --initrd FILE   other images (default: assets/guest/, built
#                      by scripts/guest-assets.sh, which runs first)
#
# The console is echoed with each line's arrival time since QEMU started; a
# summary follows ("bare-linux: ..." lines). Exit code: 0 when the guest printed
# "TV-VERDICT: PASS" and powered off; 1 on a FAIL verdict, a missing verdict or
# an exit that was not a poweroff; 124 on timeout; else QEMU's own code.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
smp=2 mem=512 cpu=EPYC log='' timeout_s=300 extra='' kernel='' initrd='' qemu_extra=''
while [ $# -gt 0 ]; do
	case "$1" in
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--append) extra=$2; shift 2 ;;
	--qemu) qemu_extra=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	-h | --help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bare-linux.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
	"$TOP/scripts/guest-assets.sh" >&2
	kernel=${kernel:-$TOP/assets/guest/vmlinuz}
	initrd=${initrd:-$TOP/assets/guest/initrd.img}
fi

cmdline="console=ttyS0 panic=-1 tv.cpus=$smp tv.mem=$mem${extra:+ $extra}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$log" ] && : >"$log"

run=(timeout --foreground -k 5 "$timeout_s"
	qemu-system-x86_64 -machine q35 -accel tcg -cpu "$cpu" -m "$mem" -smp "$smp"
	-nodefaults -nographic -serial stdio -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline")
read -ra qx <<<"$qemu_extra"
run+=("${qx[@]}")
echo "bare-linux: $(printf '%q ' "${run[@]:5}")"

# Microseconds since the epoch, without forking (bash 5).
now_us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
elapsed() { # microseconds -> "S.mmm"
	local d=$(($1 - t0))
	printf '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}

t0=$(now_us)
t_user='' t_verdict='' t_sleep0='' t_sleep1='' verdict='' powered_off=''
while IFS= read -r line || [ -n "$line" ]; do
	t=$(now_us)
	line=${line//$'\r'/}
	printf '[%8s] %s\n' "$(elapsed "$t")" "$line"
	[ -n "$log" ] && printf '%s\n' "$line" >>"$log"
	case $line in
	*"TV-GUEST: userspace reached"*) t_user=${t_user:-$t} ;;
	*"TV-GUEST: sleep "*" start"*) t_sleep0=$t ;;
	*"TV-GUEST: sleep "*" end"*) t_sleep1=$t ;;
	*"TV-VERDICT: "*) t_verdict=${t_verdict:-$t} verdict=${verdict:-TV-VERDICT: ${line#*TV-VERDICT: }} ;;
	*"reboot: Power down"*) powered_off=1 ;;
	esac
done < <(
	rc=0
	"${run[@]}" </dev/null 2>"$tmp/stderr" || rc=$?
	echo "$rc" >"$tmp/rc"
)
t_end=$(now_us)
rc=$(cat "$tmp/rc" 2>/dev/null || echo 1)
grep -v "TCG doesn't support requested feature" "$tmp/stderr" >&2 || true

echo "bare-linux: kernel command line: $cmdline"
[ -n "$t_user" ] && echo "bare-linux: userspace reached at $(elapsed "$t_user") s"
if [ -n "$t_verdict" ]; then
	echo "bare-linux: verdict at $(elapsed "$t_verdict") s: $verdict"
else
	echo "bare-linux: no TV-VERDICT line"
fi
if [ -n "$t_sleep0" ] && [ -n "$t_sleep1" ]; then
	d=$((t_sleep1 - t_sleep0))
	printf 'bare-linux: sleep markers %d.%03d s apart (host wall time)\n' $((d / 1000000)) $((d % 1000000 / 1000))
fi
echo "bare-linux: QEMU exited with $rc at $(elapsed "$t_end") s$([ -n "$powered_off" ] && echo ' (guest powered off)')"

if [ "$rc" -ne 0 ]; then exit "$rc"; fi
if [ -n "$powered_off" ] && [[ $verdict == "TV-VERDICT: PASS"* ]]; then exit 0; fi
exit 1
