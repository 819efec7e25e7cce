#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""netpeer.py: a host on the wire of a QEMU NIC, to ping thinvisor's vmk0.

QEMU side (each UDP datagram is one raw Ethernet frame):
  -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=QPORT,
          remote.type=inet,remote.host=127.0.0.1,remote.port=PPORT
This side:
  tests/tools/netpeer.py --qemu-port QPORT --port PPORT --ip 192.168.7.2 \
      [--my-ip 192.168.7.250] [--count 3] [--timeout 30] [--dhcp LEASE [--renewals N]]

It sends ARP requests for --ip once a second until one is answered (the
guest may still be booting), then --count ICMP echo requests, one at a
time, and checks each reply's id, sequence and payload. It prints one line,
"netpeer: 3/3 echo replies from 192.168.7.2 (aa:bb:cc:dd:ee:ff)", and exits
0 only if every request was answered (1 otherwise, 2 on bad usage).

With --dhcp it is also the segment's DHCP server (at --my-ip, answering ARP
for it): it offers --ip with a lease of LEASE seconds (/24, router --my-ip)
and waits for the ACKed REQUEST before it pings; with --renewals N it then
keeps serving until N renewals came unicast to it, and prints
"netpeer: DHCP: N renewals unicast to 192.168.7.250" (fails on timeout).
Python 3 standard library only.
"""
import argparse
import os
import socket
import struct
import sys
import time

MY_MAC = bytes.fromhex("020000000099")
BCAST = b"\xff" * 6


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac_str(m):
    return ":".join("%02x" % b for b in m)


def arp_request(my_ip, ip):
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MY_MAC, my_ip, b"\0" * 6, ip)
    return (BCAST + MY_MAC + b"\x08\x06" + arp).ljust(60, b"\0")


def echo_request(dst_mac, my_ip, ip, ident, seq, payload):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, my_ip, ip)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return (dst_mac + MY_MAC + b"\x08\x00" + hdr + icmp).ljust(60, b"\0")


def parse_arp_reply(f, my_ip, ip):
    """The sender's MAC if f is an ARP reply from ip to us."""
    if len(f) < 42 or f[12:14] != b"\x08\x06":
        return None
    htype, ptype, hlen, plen, op, sha, spa, tha, tpa = struct.unpack("!HHBBH6s4s6s4s", f[14:42])
    if (htype, ptype, hlen, plen, op) != (1, 0x0800, 6, 4, 2) or spa != ip or tpa != my_ip:
        return None
    return sha


def parse_echo_reply(f, my_ip, ip):
    """(id, seq, payload) if f is a well-formed echo reply from ip to us."""
    if len(f) < 42 or f[0:6] != MY_MAC or f[12:14] != b"\x08\x00":
        return None
    iph = f[14:]
    ihl = (iph[0] & 15) * 4
    tot = struct.unpack("!H", iph[2:4])[0]
    if iph[0] >> 4 != 4 or ihl < 20 or tot > len(iph) or csum(iph[:ihl]) != 0:
        return None
    if iph[9] != 1 or iph[12:16] != ip or iph[16:20] != my_ip:
        return None
    icmp = iph[ihl:tot]
    if len(icmp) < 8 or icmp[0] != 0 or icmp[1] != 0 or csum(icmp) != 0:
        return None
    ident, seq = struct.unpack("!HH", icmp[4:8])
    return ident, seq, icmp[8:]


def udp_frame(dst_mac, src_ip, dst_ip, sport, dport, data):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data  # no UDP checksum
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src_ip, dst_ip)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return (dst_mac + MY_MAC + b"\x08\x00" + hdr + udp).ljust(60, b"\0")


class DhcpServer:
    """Just enough of a server: OFFER each DISCOVER, ACK each REQUEST for ip."""

    def __init__(self, my_ip, ip, lease):
        self.my_ip, self.ip, self.lease = my_ip, ip, lease
        self.acked = 0
        self.renewals = 0

    def handle(self, f, send):
        if len(f) < 14 + 20 + 8 + 240 or f[12:14] != b"\x08\x00":
            return
        iph = f[14:]
        ihl = (iph[0] & 15) * 4
        if iph[9] != 17:
            return
        udp = iph[ihl:]
        if struct.unpack("!HH", udp[0:4]) != (68, 67):
            return
        m = udp[8:]
        if len(m) < 240 or m[0] != 1 or m[236:240] != b"\x63\x82\x53\x63":
            return
        opts, i, mtype = {}, 240, None
        while i < len(m) and m[i] != 255:
            if m[i] == 0:
                i += 1
                continue
            if i + 2 > len(m) or i + 2 + m[i + 1] > len(m):
                return
            opts[m[i]] = m[i + 2:i + 2 + m[i + 1]]
            i += 2 + m[i + 1]
        mtype = opts.get(53, b"\0")[0]
        if mtype == 1:
            reply = 2
        elif mtype == 3 and opts.get(50, m[12:16]) == self.ip:
            reply = 5
            self.acked += 1
            if iph[16:20] == self.my_ip and f[0:6] == MY_MAC:
                self.renewals += 1
        else:
            return
        r = bytearray(240)
        r[0:4] = b"\x02\x01\x06\x00"
        r[4:8] = m[4:8]
        r[10:12] = m[10:12]
        r[12:16] = m[12:16]
        r[16:20] = self.ip
        r[28:34] = m[28:34]
        r[236:240] = b"\x63\x82\x53\x63"
        r += bytes([53, 1, reply, 54, 4]) + self.my_ip + bytes([1, 4, 255, 255, 255, 0, 3, 4])
        r += self.my_ip + bytes([51, 4]) + struct.pack("!I", self.lease) + b"\xff"
        if m[12:16] != b"\0\0\0\0":   # a renewal: unicast back to ciaddr
            send(udp_frame(f[6:12], self.my_ip, m[12:16], 67, 68, bytes(r)))
        else:
            send(udp_frame(BCAST, self.my_ip, b"\xff" * 4, 67, 68, bytes(r)))


def answer_arp(f, my_ip, send):
    """Reply to an ARP request for my_ip."""
    if len(f) < 42 or f[12:14] != b"\x08\x06":
        return
    htype, ptype, hlen, plen, op, sha, spa, tha, tpa = struct.unpack("!HHBBH6s4s6s4s", f[14:42])
    if (htype, ptype, hlen, plen, op) == (1, 0x0800, 6, 4, 1) and tpa == my_ip:
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, MY_MAC, my_ip, sha, spa)
        send((sha + MY_MAC + b"\x08\x06" + arp).ljust(60, b"\0"))


def main():
    ap = argparse.ArgumentParser(description="ARP and ping a host through a QEMU dgram netdev")
    ap.add_argument("--qemu-port", type=int, required=True, help="QEMU's local.port")
    ap.add_argument("--port", type=int, required=True, help="QEMU's remote.port: ours")
    ap.add_argument("--ip", required=True, help="the address to ping")
    ap.add_argument("--my-ip", help="our address (default: .250 of a /24 around --ip)")
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for ARP")
    ap.add_argument("--dhcp", type=int, metavar="LEASE", help="serve DHCP: offer --ip for LEASE s")
    ap.add_argument("--renewals", type=int, default=0, help="with --dhcp: renewals to wait for")
    a = ap.parse_args()
    try:
        ip = socket.inet_aton(a.ip)
        my_ip = socket.inet_aton(a.my_ip) if a.my_ip else ip[:3] + bytes([250 if ip[3] != 250 else 251])
    except OSError:
        ap.error("bad address")

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", a.port))
    qemu = ("127.0.0.1", a.qemu_port)
    dhcp = DhcpServer(my_ip, ip, a.dhcp) if a.dhcp else None

    def send(f):
        s.sendto(f, qemu)

    def recv_until(deadline, match):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                f, _ = s.recvfrom(2048)
            except socket.timeout:
                return None
            answer_arp(f, my_ip, send)
            if dhcp:
                dhcp.handle(f, send)
            r = match(f)
            if r is not None:
                return r

    end = time.monotonic() + a.timeout
    if dhcp:
        recv_until(end, lambda f: True if dhcp.acked else None)
        if not dhcp.acked:
            print("netpeer: DHCP: no REQUEST for %s in %.0f s" % (a.ip, a.timeout))
            return 1
    mac = None
    while mac is None and time.monotonic() < end:
        s.sendto(arp_request(my_ip, ip), qemu)
        mac = recv_until(min(end, time.monotonic() + 1.0), lambda f: parse_arp_reply(f, my_ip, ip))
    if mac is None:
        print("netpeer: no ARP reply from %s in %.0f s" % (a.ip, a.timeout))
        return 1

    ok = 0
    ident = os.getpid() & 0xFFFF
    for seq in range(1, a.count + 1):
        payload = bytes((seq * 7 + i) & 0xFF for i in range(56))
        s.sendto(echo_request(mac, my_ip, ip, ident, seq, payload), qemu)
        want = (ident, seq, payload)
        if recv_until(time.monotonic() + 2.0,
                      lambda f: True if parse_echo_reply(f, my_ip, ip) == want else None):
            ok += 1
    print("netpeer: %d/%d echo replies from %s (%s)" % (ok, a.count, a.ip, mac_str(mac)))
    if ok != a.count:
        return 1
    if dhcp and a.renewals:
        end = time.monotonic() + a.timeout
        recv_until(end, lambda f: True if dhcp.renewals >= a.renewals else None)
        print("netpeer: DHCP: %d renewals unicast to %s" % (dhcp.renewals, socket.inet_ntoa(my_ip)))
        return 0 if dhcp.renewals >= a.renewals else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
