#!/usr/bin/env bash
# net.sh: VM networking through vSwitch0 (docs/vmm.md, "Networking"). Four
# Debian Linux VMs with virtio-net: a and b on "VM Network" ping each other;
# c and d on the port group "Lab" (VLAN 20) ping each other, and c cannot
# reach a, which is up by then (checked in the log's order); a reaches the
# world outside the host through the uplink, a QEMU e1000e on QEMU's user
# network: it pings the gateway and fetches a file from a web server the
# test runs on this machine. A VM whose NIC names a port group that does not
# exist is refused with file:line, the others run. QEMU only (AMD-V): under
# Bochs, four Linux boots take too long and it has no e1000e.
. "$(dirname "$0")/../lib.sh"

if [ "$HV" = vmx ]; then
	echo "SKIP: net.sh under Bochs (four Linux VMs take too long there; the switch is vendor-neutral)"
	finish
fi

# The peer outside the host: busybox httpd on the loopback, which is 10.0.2.2 to QEMU's guests.
mkdir -p "$WORK/www"
head -c 150000 /dev/urandom | base64 >"$WORK/www/blob"
blob_sum=$(sha256sum <"$WORK/www/blob" | cut -d' ' -f1)
port=$((20000 + RANDOM % 20000))
busybox httpd -f -p "127.0.0.1:$port" -h "$WORK/www" &
httpd=$!
trap 'kill $httpd 2>/dev/null' EXIT

net=192.168.77
linux() { # NAME PORTGROUP IP MAC EXTRA-CMDLINE
	vmx "$1" 'memsize = "128"' 'guest.kernel = "vmlinuz"' 'guest.initrd = "initrd.img"' \
		"guest.cmdline = \"console=ttyS0 quiet tv.cpus=1 tv.mem=128 tv.hv=1 tv.virtio=1 tv.ip=$3 tv.mac=$4 $5\"" \
		'ethernet0.present = "TRUE"' "ethernet0.networkName = \"$2\"" \
		"ethernet0.address = \"$4\""
}
# Not 10.0.2.15: slirp leases that to the host's own vmk0 (and learns it from its gratuitous ARP).
a=$(linux a "VM Network" "$net.1/24,10.0.2.16/24" 02:00:00:77:00:01 \
	"tv.ping=$net.2,10.0.2.2 tv.fetch=10.0.2.2:$port:$blob_sum")
b=$(linux b "VM Network" "$net.2/24" 02:00:00:77:00:02 "tv.ping=$net.1")
c=$(linux c "Lab" "$net.3/24" 02:00:00:77:00:03 "tv.ping=$net.4 tv.noping=$net.1:10")
d=$(linux d "Lab" "$net.4/24" 02:00:00:77:00:04 "tv.ping=$net.3 tv.sleep=15")
bad=$(vmx_guest badnet cpuid '' 'ethernet0.networkName = "Nope"')
settings='kernel.cmdline = "test.poweroff_idle"
portgroup0.name = "VM Network"
portgroup1.name = "Lab"
portgroup1.vlanId = "20"'
vm_boot "$WORK/serial.log" 900 "$settings" --mem 1024 --nic e1000e "$a" "$b" "$c" "$d" "$bad"
rc=$?
log=$WORK/serial.log

expect "$log" 'vSwitch0: port group "Lab", VLAN 20' "port groups from settings.cfg"
expect "$log" 'vSwitch0: uplink [a-z0-9]+ \(52:54:00:12:34:56\)' "the e1000e is vSwitch0's uplink"
expect "$log" 'vm a: ethernet0 02:00:00:77:00:01 on "VM Network"' "a's NIC is on VM Network with its address"
expect "$log" 'vms/badnet.vmx:[0-9]+: ethernet0: no port group "Nope"' \
	"a NIC on a missing port group: refused with file:line"
for vm in a:1 b:2 c:3 d:4; do
	expect "$log" "\\[${vm%:*}\\] TV-VERDICT: PASS .*mac=02:00:00:77:00:0${vm#*:}" \
		"${vm%:*}: in-guest verdict, eth0 has the config's MAC"
done
expect "$log" "\\[a\\] TV-VERDICT: PASS .*ping=$net.2:ok" "a pings b (VM Network)"
expect "$log" "\\[b\\] TV-VERDICT: PASS .*ping=$net.1:ok" "b pings a"
expect "$log" "\\[c\\] TV-VERDICT: PASS .*ping=$net.4:ok" "c pings d (Lab, VLAN 20)"
expect "$log" "\\[c\\] TV-VERDICT: PASS .*noping=$net.1:ok" "c cannot reach a (another VLAN)"
# The negative only counts if a was up when c tried.
up_a=$(clean_log "$log" | grep -n '\[a\] TV-GUEST: net up' | head -1 | cut -d: -f1)
noping_c=$(clean_log "$log" | grep -n '\[c\] TV-GUEST: noping done' | head -1 | cut -d: -f1)
if [ -n "$up_a" ] && [ -n "$noping_c" ] && [ "$up_a" -lt "$noping_c" ]; then
	pass "a was up before c tried to reach it"
else
	fail "a was not up before c's attempt (lines ${up_a:-none} and ${noping_c:-none})"
fi
expect "$log" "\\[a\\] TV-VERDICT: PASS .*ping=10.0.2.2:ok" "a pings the gateway through the uplink"
expect "$log" "\\[a\\] TV-VERDICT: PASS .*fetch=ok" "a fetches a file from a server outside the host"
expect "$log" 'vm a: virtio-net0: [0-9]+ notifies, [0-9]+ interrupts, [1-9][0-9]* frames in, [1-9][0-9]* out' \
	"host counts a's frames"
expect_not "$log" 'needs reset' "no device was marked broken"
expect_not "$log" 'vm badnet: started' "the refused VM never ran"
expect_poweroff "$rc" "$log" "host powered off cleanly once no VM was left"
finish
