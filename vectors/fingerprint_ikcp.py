#!/usr/bin/env python3
"""Finds out, by behaviour, which ikcp.c the installed siokcp bundles.

The siokcp wheels ship no C source, so the version is read off what the code does
(fingerprints of the C repository's history, vectors/README.md):
  a. send() returns the byte count                 -> ikcp.c >= f2aa30e
  b. first WASK 7000 ms after a zero window        -> classic (v2 has 5000)
  c. FASTACK_CONSERVE: an ACK of an older copy does
     not count as a skip of a newer retransmission  -> >= 49bea97
  d. after an RTO, ssthresh = effective window / 2  -> before c2ffc05 (v2: cwnd / 2)
Prints a verdict; exit 0 only for the classic 1.7.1 (8004f7e / 49bea97) behaviour.
"""
import struct
import sys

import siokcp

CONV = 0x01020304


class Probe:
    def __init__(self):
        self.out = []
        self.kcp = siokcp.KCPConnection(CONV, self._emit, lambda _msg: None)

    def _emit(self, data):
        self.out.append(bytes(data))
        return 0

    def segments(self):
        found = []
        for d in self.out:
            at = 0
            while at + 24 <= len(d):
                conv, cmd, frg, wnd, ts, sn, una, ln = struct.unpack_from("<IBBHIIII", d, at)
                found.append((cmd, sn, ts))
                at += 24 + ln
        self.out.clear()
        return found


def segment(cmd, sn=0, ts=0, una=0, wnd=128):
    return struct.pack("<IBBHIIII", CONV, cmd, 0, wnd, ts, sn, una, 0)


def send_returns_bytes():
    p = Probe()
    return p.kcp.send(b"hello") == 5


def probe_init_ms():
    p = Probe()
    p.kcp.update(1000)
    p.kcp.receive_data(segment(84, wnd=0))  # WINS with a zero window
    p.kcp.update(1100)  # first flush that sees it
    for t in range(1200, 20000, 100):
        p.kcp.update(t)
        if any(cmd == 83 for cmd, _, _ in p.segments()):
            return t - 1100
    return None


def fastack_conserve():
    # seg 0 and 1 sent at 1000, both retransmitted by RTO at 1300; an ACK for the first
    # copy of seg 1 (ts 1000) skips seg 0, whose last copy is newer.
    p = Probe()
    p.kcp.nodelay(0, 100, 1, 1)
    p.kcp.update(1000)
    p.kcp.send(b"a")
    p.kcp.send(b"b")
    p.kcp.flush()
    for t in (1100, 1200, 1300):
        p.kcp.update(t)
    p.segments()
    p.kcp.receive_data(segment(82, sn=1, ts=1000, una=0))
    p.kcp.flush()
    return not any(cmd == 81 for cmd, _, _ in p.segments())


def rto_ssthresh_from_effective_window():
    # cwnd grows to 4 by ACKs while snd_wnd is 2: after an RTO, classic sets ssthresh to
    # max(min(snd_wnd, rmt_wnd, cwnd) / 2, 2) = 2 (here: 1 -> 2); v2 uses cwnd / 2 = 2 too,
    # so make cwnd large: 8 -> v2 gives 4, classic gives 2.
    p = Probe()
    p.kcp.wndsize(2, 128)
    p.kcp.update(0)
    sn = 0
    for t in range(100, 1500, 100):
        p.kcp.send(b"x")
        p.kcp.update(t)
        for cmd, s, ts in p.segments():
            if cmd == 81:
                p.kcp.receive_data(segment(82, sn=s, ts=ts, una=s + 1))
                sn = s + 1
    p.kcp.cwnd = 8
    p.kcp.ssthresh = 16
    p.kcp.send(b"y")
    p.kcp.update(1600)
    for t in range(1700, 8000, 100):
        p.kcp.update(t)
        if p.kcp.cwnd == 1:
            break
    return p.kcp.ssthresh == 2


def main():
    checks = {
        "send returns bytes": send_returns_bytes(),
        "PROBE_INIT 7000": probe_init_ms() == 7000,
        "FASTACK_CONSERVE on": fastack_conserve(),
        "RTO ssthresh from effective window": rto_ssthresh_from_effective_window(),
    }
    classic = all(checks.values())
    detail = ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())
    verdict = "classic 1.7.1 (8004f7e/49bea97)" if classic else "NOT classic 1.7.1"
    print(f"siokcp {siokcp.__version__} bundles ikcp.c = {verdict}: {detail}")
    return 0 if classic else 1


def verdict_line():
    """The one-line verdict, for capture provenance."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main()
    return code == 0, buf.getvalue().strip()


if __name__ == "__main__":
    sys.exit(main())
