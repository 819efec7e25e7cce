#!/usr/bin/env bash
# qemu.sh: boot a thinvisor stick image under QEMU (TCG, AMD-V via -cpu EPYC, OVMF).
# Used by `make run` and by the tests.
#
#   scripts/qemu.sh [options] IMAGE [-- extra QEMU args]
#     --smp N          CPUs (default 2)
#     --cpu MODEL      QEMU CPU model (default EPYC: AMD-V with nested paging)
#     --mem MiB        memory (default 512)
#     --vars FILE      OVMF variable store to use (default: a fresh copy per run)
#     --log FILE       also write the serial console to FILE (tests)
#     --timeout SEC    kill QEMU after SEC seconds (exit code 124)
#     --icount         deterministic instruction counting (-icount shift=7,sleep=off)
#     --batch          no keyboard: serial to FILE only, stdin not used
#     --serial-pipe P  (with --batch) serial on the FIFOs P.in / P.out instead of FILE
set -euo pipefail

smp=2 cpu=EPYC mem=512 vars= log= timeout_s= icount= batch= pipe=
while [ $# -gt 0 ]; do
	case "$1" in
	--smp) smp=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--vars) vars=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--batch) batch=1; shift ;;
	--serial-pipe) pipe=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	*) img=$1; shift ;;
	esac
done
[ -n "${img:-}" ] || { echo "usage: qemu.sh [options] IMAGE [-- qemu args]" >&2; exit 2; }
[ "${1:-}" = "--" ] && shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$vars" ]; then
	vars=$tmp/vars.fd
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
fi

args=(-machine q35 -accel tcg -cpu "$cpu" -smp "$smp" -m "$mem" -nodefaults -no-reboot
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
	-drive if=pflash,format=raw,file="$vars"
	-drive if=none,id=stick,format=raw,file="$img"
	-device ide-hd,drive=stick,bus=ide.0,bootindex=0
	-device isa-debug-exit,iobase=0xf4,iosize=4)
[ -n "$icount" ] && args+=(-icount shift=7,sleep=off)

run=(qemu-system-x86_64 "${args[@]}" "$@")
[ -n "$timeout_s" ] && run=(timeout --foreground -k 5 "$timeout_s" "${run[@]}")

if [ -n "$batch" ]; then
	if [ -n "$pipe" ]; then
		serial=(-chardev pipe,id=ser0,path="$pipe" -serial chardev:ser0)
	else
		serial=(-serial file:"${log:-/dev/null}")
	fi
	"${run[@]}" -display none "${serial[@]}" </dev/null 2>"$tmp/stderr" || rc=$?
	grep -v "TCG doesn't support requested feature" "$tmp/stderr" >&2 || true
	exit "${rc:-0}"
fi
if [ -n "$log" ]; then
	"${run[@]}" -nographic -serial mon:stdio 2> >(grep -v "TCG doesn't support" >&2) | tee "$log"
	exit "${PIPESTATUS[0]}"
fi
echo "thinvisor under QEMU: Ctrl-A X quits, Ctrl-A C opens the QEMU monitor" >&2
exec "${run[@]}" -nographic -serial mon:stdio 2> >(grep -v "TCG doesn't support" >&2)
