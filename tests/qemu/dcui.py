#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# dcui.py: the scenario of tests/qemu/dcui.sh (see there); argv: TOP WORK.
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from console import Console, Checks, F2, F12, CTRL_RBRACKET  # noqa: E402

top, work = sys.argv[1], sys.argv[2]
vars_fd = os.path.join(work, "vars.fd")
t = Checks()
user_net = ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"]
qopts = ["--smp", "1", "--mem", "512", "--vars", vars_fd, "--timeout", "240"]


def edit(con, item, old_len, text):
    """Configuration item 1-3: erase the offered value, type text, Enter."""
    con.send(item)
    con.send("\x7f" * old_len)
    con.send(text + "\r")


def power_off(con, name):
    con.send(F12)
    t.seen(con, r"Shut down or restart the host", name + ": F12 screen")
    con.send("s")
    t.seen(con, r"Shut down the host\? <y/n>", name + ": asks to confirm")
    con.send("y")
    t.ok(con.end(60) == 0, name + ": host powered off from the console")


# ---- boot 1: DHCP, bad and good input, the VM screen ----
con = Console(top, work, "boot1", os.path.join(work, "stick.img"), qopts, user_net)
t.seen(con, r"host: esx01 \(settings\.cfg\)", "boot 1: hostname from settings.cfg")
t.seen(con, r"==== thinvisor direct console ====", "status screen at the end of boot")
t.seen(con, r"Management: +vmk0 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2",
       "DHCP lease from QEMU's user network on the status screen", 60)

# F2 from the PS/2 keyboard; the bad hostname typed there too.
con.keys("f2")
t.seen(con, r"Configure management network", "F2 (PS/2 keyboard) opens the configuration")
con.keys("1")
t.seen(con, r"Hostname: esx01", "hostname prompt offers the current name")
con.keys(*["backspace"] * 5)
con.type_keys("-bad")
con.keys("ret")
t.seen(con, r"Rejected: a hostname may not start or end with '-'\. The settings are unchanged",
       "a hostname starting with '-' is rejected")
edit(con, "1", 5, "x" * 64)
t.seen(con, r"Rejected: the hostname is longer than 63 characters",
       "an overlong hostname is rejected")
edit(con, "2", 4, "192.168.7.300/24")
t.seen(con, r"Rejected: an address part is over 255", "a bad address is rejected")
edit(con, "2", 4, "192.168.7.2/24")
t.seen(con, r"Default gateway", "gateway prompt")
con.send("10.9.9.9\r")
t.seen(con, r"Rejected: the gateway is not in the address's subnet",
       "a gateway outside the subnet is rejected")
t.seen(con, r"<2> IPv4 +DHCP", "after rejections the settings are unchanged")
edit(con, "1", 5, "esx42")
t.seen(con, r"Applied: in use and saved", "hostname esx42 applied and saved")
edit(con, "2", 4, "192.168.7.2/24")
con.send("192.168.7.1\r")
t.seen(con, r"Applied: in use and saved", "static address applied and saved")
t.seen(con, r"<2> IPv4 +static 192\.168\.7\.2/24, gateway 192\.168\.7\.1", "static address shown")
con.send("q")
t.seen(con, r"Host: +esx42", "status screen shows the new hostname")
t.seen(con, r"vmk0 192\.168\.7\.2 netmask 255\.255\.255\.0 gateway 192\.168\.7\.1",
       "status screen shows the static address")

# The VM screen: stop, start, restart, attach, detach.
t.seen(con, r"\[echo\] TV-GUEST: type a line", "VM echo booted", 120, anywhere=True)
con.keys("v")
t.seen(con, r"> 1 echo +running", "VM screen (PS/2 'v') lists the VM")
con.send("t")
t.seen(con, r"Power off VM echo\? <y/n>", "power off asks to confirm")
con.send("y")
t.seen(con, r"VM echo powered off", "VM powered off from the console")
t.seen(con, r"vm echo: memory released", "its memory is released")
con.send("s")
t.seen(con, r"VM echo started", "VM started again from the console")
t.seen(con, r"\[echo\] TV-GUEST: type a line", "VM echo boots again", 120)
con.send("r")
t.seen(con, r"Restart VM echo\? <y/n>", "restart asks to confirm")
con.send("y")
t.seen(con, r"VM echo restarted", "VM reset from the console")
t.seen(con, r"\[echo\] TV-GUEST: type a line", "VM echo boots after the reset", 120)
con.send("a")
t.seen(con, r"Attached to echo's serial console", "attached to the VM's console")
con.send(CTRL_RBRACKET)
t.seen(con, r"Detached\.", "Ctrl-] detaches")
con.send("a")
t.seen(con, r"Attached to echo's serial console", "attached again")
con.send("hello from the console\r")
t.seen(con, r"\[echo\] TV-GUEST: got 'hello from the console'", "typed line reaches the guest")
t.seen(con, r"The VM stopped\.", "console detaches when the VM powers off")
con.send("q")
power_off(con, "boot 1")

# ---- boot 2: the saved settings, and ping from outside ----
peer_port, qemu_port = 47000 + os.getpid() % 1000, 48000 + os.getpid() % 1000
dgram = ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
         "remote.type=inet,remote.host=127.0.0.1,remote.port=%d" % (qemu_port, peer_port),
         "-device", "virtio-net-pci,netdev=n0"]
con = Console(top, work, "boot2", os.path.join(work, "stick.img"), qopts, dgram)
t.seen(con, r"host: esx42 \(settings saved at the console", "boot 2: saved hostname in use")
t.seen(con, r"Host: +esx42", "boot 2: status screen shows the saved hostname")
t.seen(con, r"Management: +vmk0 192\.168\.7\.2 netmask 255\.255\.255\.0 gateway 192\.168\.7\.1",
       "boot 2: status screen shows the saved static address")
ping = subprocess.run([sys.executable, os.path.join(top, "tests/tools/netpeer.py"),
                       "--port", str(peer_port), "--qemu-port", str(qemu_port),
                       "--ip", "192.168.7.2", "--my-ip", "192.168.7.9", "--count", "3"],
                      capture_output=True, text=True, timeout=60)
print(ping.stdout.strip())
t.ok(ping.returncode == 0, "the management address answers ping", ping.stderr.strip())
power_off(con, "boot 2")

# ---- boot 3: a damaged saved copy falls back to settings.cfg ----
con = Console(top, work, "boot3", os.path.join(work, "stick-damage.img"), qopts, user_net)
t.seen(con, r"settings: the saved settings \(UEFI variable ThinvisorSettings\) are damaged: "
       r"bad length or CRC", "boot 3: damaged saved settings reported")
t.seen(con, r"host: esx01 \(settings\.cfg\)", "boot 3: settings.cfg used instead")
t.seen(con, r"Management: +vmk0 10\.0\.2\.15", "boot 3: DHCP as settings.cfg says")
power_off(con, "boot 3")
sys.exit(1 if t.failed else 0)
