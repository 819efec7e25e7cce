#!/usr/bin/env bash
# mgmt_net.sh: vmk0, the management interface, on vSwitch0's uplink. Boot 1:
# QEMU's user network (slirp) leases 10.0.2.15 to it by DHCP. Boot 2: a
# static address (settings.cfg's net.ip) on a QEMU dgram wire to
# tests/tools/netpeer.py, which ARPs for it and pings it. Boot 3: netpeer is
# the DHCP server, with a 10 s lease: vmk0 binds, answers pings, and renews
# unicast (ARP for the server first) at T1. Without a NIC there is no vmk0.
# About 25 s in all.
. "$(dirname "$0")/../lib.sh"

NETPEER=$TOP/tests/tools/netpeer.py
MAC=52:54:00:e1:00:07

# Two free UDP ports on the loopback: QEMU's end and netpeer's.
read -r QPORT PPORT < <(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
wire=(-netdev "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$QPORT,remote.type=inet,remote.host=127.0.0.1,remote.port=$PPORT")

# ---- DHCP from slirp ----
make_stick "$WORK/dhcp.stick" 'hostname = "thinvisor"'
run_until "$WORK/dhcp.log" 'vmk0: DHCP: bound' "$TOP/scripts/qemu.sh" --batch --log "$WORK/dhcp.log" \
	--timeout 30 "$WORK/dhcp.stick" -- -netdev user,id=n0 -device e1000e,netdev=n0,mac=$MAC \
	2>>"$WORK/emulator.err"
log=$WORK/dhcp.log
expect "$log" "vmk0: on vSwitch0 as $MAC" "vmk0 takes the uplink's MAC"
expect "$log" 'vmk0: DHCP: bound 10\.0\.2\.15/24 gw 10\.0\.2\.2 dns 10\.0\.2\.3 lease 86400 s from 10\.0\.2\.2' \
	"slirp's DHCP lease"

# ---- no NIC: no vmk0 ----
run_until "$WORK/none.log" 'vmk0: ' "$TOP/scripts/qemu.sh" --batch --log "$WORK/none.log" \
	--timeout 30 "$WORK/dhcp.stick" 2>>"$WORK/emulator.err"
expect "$WORK/none.log" 'vmk0: vSwitch0 has no uplink; no management network' "no uplink: no vmk0"

# peer_boot NAME SETTINGS NETPEER-ARGS...: boot on the dgram wire, run netpeer, stop QEMU.
peer_boot() {
	local name=$1 settings=$2 qpid
	shift 2
	make_stick "$WORK/$name.stick" "$settings"
	qemu_boot "$WORK/$name.stick" "$WORK/$name.log" 40 -- "${wire[@]}" \
		-device virtio-net-pci,netdev=n0,mac=$MAC 2>>"$WORK/emulator.err" &
	qpid=$!
	python3 "$NETPEER" --qemu-port "$QPORT" --port "$PPORT" "$@" > "$WORK/$name.peer" 2>&1
	peer_rc=$?
	sigkill_when "$WORK/$name.log" . 1 "$qpid" > /dev/null 2>&1
	cat "$WORK/$name.peer"
}

# ---- a static address, pinged ----
peer_boot static "$(printf 'net.ip = "192.168.7.2/24"\nnet.gateway = "192.168.7.1"')" \
	--ip 192.168.7.2 --count 3 --timeout 20
expect "$WORK/static.log" 'vmk0: static 192\.168\.7\.2/24 gw 192\.168\.7\.1' "static address configured"
[ "$peer_rc" = 0 ] && expect "$WORK/static.peer" "netpeer: 3/3 echo replies from 192\.168\.7\.2 \($MAC\)" \
	"static: ARP answered, 3 pings answered" || fail "static: netpeer failed (rc $peer_rc)"

# ---- netpeer as the DHCP server: bind, ping, renew unicast ----
peer_boot lease 'hostname = "thinvisor"' --ip 192.168.7.3 --dhcp 10 --renewals 1 --count 2 --timeout 20
expect "$WORK/lease.log" 'vmk0: DHCP: bound 192\.168\.7\.3/24 gw 192\.168\.7\.250 dns 0\.0\.0\.0 lease 10 s from 192\.168\.7\.250' \
	"netpeer's lease"
expect "$WORK/lease.log" 'vmk0: DHCP: renewed 192\.168\.7\.3, lease 10 s' "renewed at T1"
[ "$peer_rc" = 0 ] && expect "$WORK/lease.peer" 'netpeer: DHCP: 1 renewals unicast to 192\.168\.7\.250' \
	"renewal unicast to the server" || fail "lease: netpeer failed (rc $peer_rc)"
expect_not "$WORK/lease.log" 'PANIC|panic' "no panic"
finish
