#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""console.py: drive thinvisor's direct console under QEMU, for the tests.

Runs scripts/qemu.sh with the serial line on FIFOs and the QEMU monitor on a
Unix socket; `wait` reads the serial output (also copied to a log file) until
a regex matches, `send` types bytes on the serial line, `keys` presses keys
on the emulated PS/2 keyboard (the monitor's sendkey).
"""
import os
import re
import select
import socket
import subprocess
import time

ESC = "\x1b"
F2 = ESC + "[12~"
F12 = ESC + "[24~"
CTRL_RBRACKET = "\x1d"
ANSI = re.compile(r"\x1b\[[0-9;=]*[a-zA-Z]")


class Console:
    def __init__(self, top, work, tag, image, qemu_opts, qemu_args):
        self.work = work
        pipe = os.path.join(work, tag + ".ser")
        for end in (".in", ".out"):
            if not os.path.exists(pipe + end):
                os.mkfifo(pipe + end)
        self.mon_path = os.path.join(work, tag + ".mon")
        self.log = open(os.path.join(work, tag + ".log"), "w")
        cmd = [os.path.join(top, "scripts/qemu.sh"), "--batch", "--serial-pipe", pipe] + \
            qemu_opts + [image, "--", "-monitor",
                         "unix:%s,server=on,wait=off" % self.mon_path] + qemu_args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        self.rfd = os.open(pipe + ".out", os.O_RDONLY | os.O_NONBLOCK)
        self.wfd = os.open(pipe + ".in", os.O_RDWR)
        self.text = ""      # everything seen, without CRs and ANSI escapes
        self.pos = 0        # where the next wait starts looking

    def _read(self, timeout):
        r, _, _ = select.select([self.rfd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.rfd, 65536)
        except BlockingIOError:
            return False
        if not data:
            time.sleep(0.05)    # no writer yet, or QEMU is gone
            return False
        s = data.decode("latin-1")
        self.log.write(s)
        self.log.flush()
        self.text += ANSI.sub("", s.replace("\r", ""))
        return True

    def wait(self, regex, timeout=60, anywhere=False):
        """The first match of regex after the previous wait's match (anywhere:
        in all the output so far), or None."""
        pat = re.compile(regex)
        end = time.time() + timeout
        while True:
            m = pat.search(self.text, 0 if anywhere else self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.time() > end or (self.proc.poll() is not None and not self._read(0)):
                return None
            self._read(min(0.2, max(0, end - time.time())))

    def count(self, regex):
        return len(re.findall(regex, self.text))

    def send(self, s, gap=0.02):
        """Type s on the serial line, a byte at a time as a person would; an
        escape sequence (a function key) goes in one write, as terminals send it."""
        if s.startswith(ESC):
            os.write(self.wfd, s.encode("latin-1"))
            time.sleep(gap)
            return
        for ch in s.encode("latin-1"):
            os.write(self.wfd, bytes([ch]))
            time.sleep(gap)
            self._read(0)

    def keys(self, *names):
        """Press keys on the PS/2 keyboard: QEMU key names ("f2", "shift-a", "ret")."""
        s = socket.socket(socket.AF_UNIX)
        for _ in range(50):
            try:
                s.connect(self.mon_path)
                break
            except OSError:
                time.sleep(0.1)
        for n in names:
            s.sendall(("sendkey %s\n" % n).encode())
            time.sleep(0.15)
        s.close()

    def type_keys(self, text):
        """Type text on the PS/2 keyboard (lower-case letters, digits, '.', '-', '/')."""
        names = {".": "dot", "-": "minus", "/": "slash", " ": "spc"}
        self.keys(*[names.get(c, c) for c in text])

    def end(self, timeout=60):
        """Wait for QEMU to exit; its exit code (None if it had to be killed)."""
        deadline = time.time() + timeout
        while self.proc.poll() is None and time.time() < deadline:
            self._read(0.2)
        while self._read(0):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            return None
        return self.proc.returncode


class Checks:
    """PASS/FAIL lines as tests/lib.sh prints them."""

    def __init__(self):
        self.failed = False

    def ok(self, cond, name, why=""):
        if cond:
            print("PASS: " + name, flush=True)
        else:
            print("FAIL: %s%s" % (name, ": " + why if why else ""), flush=True)
            self.failed = True
        return cond

    def seen(self, con, regex, name, timeout=60, anywhere=False):
        return self.ok(con.wait(regex, timeout, anywhere) is not None, name,
                       "no /%s/ within %d s" % (regex, timeout))
