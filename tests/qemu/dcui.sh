#!/usr/bin/env bash
# dcui.sh: the direct console over the serial line and the PS/2 keyboard
# (tests/qemu/dcui.py drives it). Boot 1: vmk0 gets QEMU's DHCP lease and
# the status screen shows it; bad hostnames, addresses and gateways are
# rejected and change nothing; a hostname and a static address are set and
# saved; a Linux VM is powered off, started again, reset and attached to; F12 shuts
# the host down. Boot 2, same OVMF VARS file: the saved name and address are
# in use and answer ping from outside (tests/tools/netpeer.py). Boot 3: the
# saved copy damaged, the host falls back to settings.cfg with a warning.
. "$(dirname "$0")/../lib.sh"

cp /usr/share/OVMF/OVMF_VARS_4M.fd "$WORK/vars.fd"
make_stick "$WORK/stick.img" 'hostname = "esx01"' "$(vmx_linux echo 256 tv.test=echo)"
make_stick "$WORK/stick-damage.img" "$(printf 'hostname = "esx01"\nkernel.cmdline = "test.settings.damage"')"
python3 "$TOP/tests/qemu/dcui.py" "$TOP" "$WORK" || FAILED=1
finish
