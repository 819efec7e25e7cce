#!/usr/bin/env bash
# nic.sh: host NIC drivers under QEMU's q35. One boot carries an e1000e
# (82574L), a modern-only virtio-net-pci and a transitional one, each on its
# own user network (slirp) with a MAC given by the test; test.net must find
# all three with those MACs and get an ARP reply from 10.0.2.2 and a DHCP
# offer through each. A second boot puts an e1000e and a virtio-net on one
# QEMU hub (with slirp): test.net.loop sends each way a full-size frame
# tagged VLAN 42 to a MAC neither NIC owns, and a multicast frame, which
# must arrive unchanged: what a switch uplink on a trunk needs (promiscuous,
# no VLAN stripping or filtering). With both links set down (QEMU monitor)
# the NICs report no link and test.net skips them; a boot without any NIC
# says so; both power off cleanly.
. "$(dirname "$0")/../lib.sh"

MAC0=52:54:00:e1:00:01 MAC1=52:54:00:7e:00:02 MAC2=52:54:00:7e:00:03
SLIRP_MAC=52:55:0a:00:02:02   # slirp's own address for its gateway

# ---- e1000e + modern virtio-net + transitional virtio-net ----
make_stick "$WORK/nics.stick" 'kernel.cmdline = "test.net test.boot"'
qemu_boot "$WORK/nics.stick" "$WORK/nics.log" 90 -- \
	-netdev user,id=n0 -device e1000e,netdev=n0,mac=$MAC0 \
	-netdev user,id=n1 -device virtio-net-pci,netdev=n1,disable-legacy=on,mac=$MAC1 \
	-netdev user,id=n2 -device virtio-net-pci,netdev=n2,mac=$MAC2
rc=$?
log=$WORK/nics.log
expect "$log" 'pci: .* 8086:10d3 class 020000' "the 82574L on the PCI bus"
expect "$log" 'e1000e0: [0-9a-f:.]+ Intel 8086:10d3, 64 RX and 64 TX descriptors' "e1000e driver probed it"
expect "$log" 'vnet0: [0-9a-f:.]+ virtio-net 1af4:1041, queues of 64, features 0x100010020' \
	"modern virtio-net: VERSION_1, MAC and STATUS negotiated, nothing else"
expect "$log" 'vnet1: [0-9a-f:.]+ virtio-net 1af4:1000, ' "transitional virtio-net driven through its modern capabilities"
expect "$log" "net: e1000e0: MAC $MAC0, link up" "e1000e: the MAC QEMU was given, link up"
expect "$log" "net: vnet0: MAC $MAC1, link up" "virtio-net: the MAC QEMU was given, link up"
expect "$log" "net: vnet1: MAC $MAC2, link up" "transitional virtio-net: its MAC, link up"
for n in e1000e0 vnet0 vnet1; do
	expect "$log" "test\.net: $n: ARP reply from 10\.0\.2\.2 is-at $SLIRP_MAC" "$n: ARP request sent, reply received"
	expect "$log" "test\.net: $n: DHCP OFFER of 10\.0\.2\.15 from 10\.0\.2\.2" "$n: DHCP DISCOVER answered with an offer"
done
expect "$log" 'test\.net: PASS: 3 of 3 NICs' "test.net verdict"
expect_not "$log" 'FAIL|device marked failed|PANIC' "no failure on the way"
[ "$rc" = 0 ] && pass "clean poweroff after test.net" || fail "QEMU exit code $rc (see $log)"

# ---- two NICs on one wire: trunk frames cross unchanged ----
make_stick "$WORK/hub.stick" 'kernel.cmdline = "test.net.loop test.boot"'
qemu_boot "$WORK/hub.stick" "$WORK/hub.log" 90 -- \
	-netdev user,id=u0 -netdev hubport,id=hu,hubid=0,netdev=u0 \
	-netdev hubport,id=h0,hubid=0 -device e1000e,netdev=h0,mac=$MAC0 \
	-netdev hubport,id=h1,hubid=0 -device virtio-net-pci,netdev=h1,disable-legacy=on,mac=$MAC1
rc=$?
log=$WORK/hub.log
for p in 'e1000e0 -> vnet0' 'vnet0 -> e1000e0'; do
	expect "$log" "test\.net: loop $p: 1518-byte frame tagged VLAN 42 to another MAC: intact" \
		"$p: tagged full-size frame to a foreign MAC arrives unchanged"
	expect "$log" "test\.net: loop $p: 60-byte multicast frame: intact" "$p: multicast frame arrives"
done
expect "$log" 'test\.net: loop: PASS' "loop verdict"
[ "$rc" = 0 ] && pass "hub boot: clean poweroff" || fail "hub boot: QEMU exit code $rc (see $log)"

# ---- links down: QEMU's monitor (on FIFOs) unplugs both cables before the kernel runs ----
mkfifo "$WORK/mon.in" "$WORK/mon.out"
qemu_boot "$WORK/nics.stick" "$WORK/down.log" 60 -- -chardev pipe,id=mon,path="$WORK/mon" -mon chardev=mon \
	-netdev user,id=n0 -device e1000e,netdev=n0,mac=$MAC0 \
	-netdev user,id=n1 -device virtio-net-pci,netdev=n1,disable-legacy=on,mac=$MAC1 &
qpid=$!
timeout 90 cat "$WORK/mon.out" > /dev/null &
# Opening the FIFO waits for QEMU; never forever.
timeout 30 sh -c 'printf "set_link n0 off\nset_link n1 off\n" > "$1"' sh "$WORK/mon.in" ||
	fail "link down: QEMU's monitor never opened"
wait "$qpid"
rc=$?
log=$WORK/down.log
expect "$log" "net: e1000e0: MAC $MAC0, link down" "link down: e1000e sees it (STATUS.LU)"
expect "$log" "net: vnet0: MAC $MAC1, link down" "link down: virtio-net sees it (config status)"
expect "$log" 'test\.net: e1000e0: no link after 3 s; skipped' "link down: test.net skips the e1000e"
expect "$log" 'test\.net: no NIC with link' "link down: nothing to test"
[ "$rc" = 0 ] && pass "link down: clean poweroff" || fail "link down: QEMU exit code $rc"

# ---- no NIC at all ----
make_stick "$WORK/none.stick" 'kernel.cmdline = "test.net test.boot"'
qemu_boot "$WORK/none.stick" "$WORK/none.log" 60
rc=$?
expect "$WORK/none.log" 'net: no supported NIC' "no NIC: said so"
expect "$WORK/none.log" 'test\.net: no NIC with link' "no NIC: test.net has nothing to test"
expect "$WORK/none.log" 'timer: [0-9]+ ticks in' "no NIC: the host boots on"
expect_not "$WORK/none.log" 'PANIC|panic' "no NIC: no panic"
[ "$rc" = 0 ] && pass "no NIC: clean poweroff" || fail "no NIC: QEMU exit code $rc"
finish
