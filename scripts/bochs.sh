#!/usr/bin/env bash
# bochs.sh: boot thinvisor under Bochs, which emulates Intel VT-x with EPT.
#
#   scripts/bochs.sh [options] (--iso ISO | --uefi IMAGE)
#     --iso ISO       legacy BIOS + GRUB + multiboot2 (fast path)
#     --uefi IMAGE    Debian's OVMF.fd + the stick image through our UEFI loader
#     --cpus N        processors (default 1)
#     --mem MiB       memory (default 512)
#     --log FILE      serial console output file (default bochs-serial.log)
#     --timeout SEC   kill Bochs after SEC seconds (exit code 124)
# Exit code: Bochs' own (0 on magic break / clean quit, 1 on ACPI off or panic).
set -euo pipefail

iso= uefi= cpus=1 mem=512 log=bochs-serial.log timeout_s=600
while [ $# -gt 0 ]; do
	case "$1" in
	--iso) iso=$2; shift 2 ;;
	--uefi) uefi=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	*) echo "bochs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$(realpath -m "$log")
: > "$log"

{
	echo "megs: $mem"
	echo "cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, reset_on_triple_fault=0"
	echo "clock: sync=none, time0=local"
	echo "display_library: rfb, options=\"timeout=0, hideIPS\""
	echo "speaker: enabled=0"
	echo "sound: driver=dummy"
	echo "com1: enabled=1, mode=file, dev=$log"
	echo "panic: action=fatal"
	echo "error: action=report"
	echo "log: $tmp/bochs.log"
	echo "magic_break: enabled=1"
	echo "port_e9_hack: enabled=1"
	if [ -n "$iso" ]; then
		echo "romimage: file=/usr/share/bochs/BIOS-bochs-latest"
		echo "vgaromimage: file=/usr/share/vgabios/vgabios.bin"
		echo "ata0-master: type=cdrom, path=$(realpath "$iso"), status=inserted"
		echo "boot: cdrom"
	else
		echo "romimage: file=/usr/share/ovmf/OVMF.fd, address=0xffe00000"
		echo "vgaromimage: file=/usr/share/vgabios/vgabios-cirrus.bin"
		echo "pci: enabled=1, chipset=i440fx"
		echo "ata0-master: type=disk, path=$(realpath "$uefi"), mode=flat"
		echo "boot: disk"
	fi
} > "$tmp/bochsrc"
printf 'continue\nquit\n' > "$tmp/cont.rc"

rc=0
timeout -k 5 "$timeout_s" bochs-bin -q -f "$tmp/bochsrc" -rc "$tmp/cont.rc" </dev/null \
	>"$tmp/stdout" 2>&1 || rc=$?
# VM-entry failures and panics are explained in Bochs' own log.
if [ -n "${BOCHS_LOG_COPY:-}" ]; then cp "$tmp/bochs.log" "$BOCHS_LOG_COPY"; fi
cat "$tmp/stdout" >&2; exit $rc
