#!/usr/bin/env python3
"""Captures kcpvec/1 kcp-trace vectors from the C original through siokcp.

Two endpoints A and B talk over a seeded, simulated impaired link in virtual time
(loss, delay, jitter that reorders, duplication, blackouts). Every call the driver makes
on an endpoint is recorded with its clock, return value, output datagrams and, every
few steps, its state: one case per endpoint. Same seed, same bytes.

    capture_ikcp.py --seeds 1-100 --out vectors/ikcp-siokcp-seeds-1-100.json.gz
    capture_ikcp.py --random 30 --out /tmp/fresh.json.gz     # fresh seeds, printed
"""
import argparse
import gzip
import json
import os
import random
import struct
import sys

import siokcp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fingerprint_ikcp  # noqa: E402

U32 = 1 << 32
STATE_FIELDS = ("snd_una", "snd_nxt", "rcv_nxt", "cwnd", "ssthresh", "rx_srtt", "rx_rttval",
                "rx_rto", "rmt_wnd", "probe", "state", "incr", "nsnd_buf", "nrcv_buf",
                "nsnd_que", "nrcv_que", "xmit")
MODES = {  # name: (nodelay, interval, resend, nc)
    "default": (0, 10, 0, 0), "normal": (0, 40, 2, 1), "fast": (0, 30, 2, 1),
    "fast2": (1, 20, 2, 1), "fast3": (1, 10, 2, 1), "turbo": (2, 10, 2, 1),
    "nodelay2-cc": (2, 20, 1, 0), "slow": (0, 100, 0, 0),
}
MTUS = (50, 51, 77, 200, 576, 1100, 1400)
WINDOWS = ((1, 128), (4, 16), (8, 16), (32, 128), (128, 128), (256, 256), (1024, 1024),
           (4096, 4096), (64, 1))
FLAG_NOTES = {
    "Fragmentation": "messages cut into several fragments",
    "FragmentLimit": "a message needing >= 128 fragments was refused (send returns -2)",
    "StreamMode": "stream mode",
    "ZeroWindowProbe": "the reader stopped long enough for WASK/WINS window probing",
    "TinyMtu": "mtu below 100",
    "OddMtu": "an mtu that is not a round number",
    "InvalidMtu": "setmtu with an mtu below 50 (returns -1)",
    "ClockWrap": "the clock crosses 2^32 during the case",
    "DeadLink": "a blackout long enough for state to become 0xFFFFFFFF",
    "RecvTooSmall": "recv with a buffer smaller than the next message (-3)",
    "RecvIncomplete": "recv while a message is incomplete (-2)",
    "GarbageInput": "hostile datagrams: short, wrong conv, len past the end, bad cmd, absurd fields",
    "Loss": "the link drops datagrams",
    "Reorder": "link jitter reorders datagrams",
    "Duplicate": "the link duplicates datagrams",
    "SetFields": "direct field writes through the set op",
    "BigWindow": "windows of 1024 or more",
    "TinyWindow": "a send window below 8",
}


def hx(b):
    return bytes(b).hex()


class Recorder:
    """One endpoint: a siokcp connection plus its recorded steps."""

    def __init__(self, conv, state_every):
        self.out = []
        self.kcp = siokcp.KCPConnection(conv, self._emit, lambda _m: None)
        self.steps = []
        self.state_every = state_every
        self.wire = []  # emitted datagrams not yet handed to the link

    def _emit(self, data):
        self.out.append(bytes(data))
        return 0

    def state(self):
        k = self.kcp
        return {f: (getattr(k, f) % U32 if f not in ("rx_srtt", "rx_rttval", "rx_rto")
                    else getattr(k, f)) for f in STATE_FIELDS}

    def record(self, t, op, force_state=False, **fields):
        step = {"t": t % U32, "op": op}
        step.update(fields)
        step["out"] = [hx(d) for d in self.out]
        emitted = self.out
        self.wire.extend(emitted)
        self.out = []
        if force_state or len(self.steps) % self.state_every == 0:
            step["state"] = self.state()
        self.steps.append(step)
        return emitted

    # ----- ops -------------------------------------------------------------------
    def send(self, t, data):
        try:
            r = self.kcp.send(data)
        except ValueError as e:  # siokcp raises on a negative code: "kcp send error: -2"
            r = int(str(e).rsplit(":", 1)[1])
        self.record(t, "send", data=hx(data), ret=r)
        return r

    def input(self, t, data):
        r = self.kcp.receive_data(data)
        self.record(t, "input", data=hx(data), ret=r)
        return r

    def recv(self, t, length):
        buf = bytearray(length)
        r = self.kcp.next_event_into(buf)
        fields = {"len": length, "ret": r}
        if r > 0:
            fields["data"] = hx(buf[:r])
        self.record(t, "recv", **fields)
        return r, bytes(buf[:max(r, 0)])

    def update(self, t):
        self.kcp.update(t % U32)
        return self.record(t, "update")

    def flush(self, t):
        self.kcp.flush()
        return self.record(t, "flush")

    def check(self, t):
        r = self.kcp.check(t % U32)
        self.record(t, "check", ret=r)
        return r

    def peeksize(self, t):
        r = self.kcp.peeksize()
        self.record(t, "peeksize", ret=r)
        return r

    def waitsnd(self, t):
        r = self.kcp.waitsnd()
        self.record(t, "waitsnd", ret=r)
        return r

    def nodelay(self, t, a, b, c, d):
        r = self.kcp.nodelay(a, b, c, d)
        self.record(t, "nodelay", True, nodelay=a, interval=b, resend=c, nc=d, ret=r)

    def wndsize(self, t, snd, rcv):
        r = self.kcp.wndsize(snd, rcv)
        self.record(t, "wndsize", True, snd=snd, rcv=rcv, ret=r)

    def setmtu(self, t, mtu):
        r = self.kcp.setmtu(mtu)
        self.record(t, "setmtu", True, mtu=mtu, ret=r)
        return r

    def set(self, t, **fields):
        for name, value in fields.items():  # direct ikcpcb field writes, no clamping
            setattr(self.kcp, name, value)
        self.record(t, "set", True, **fields)


class Link:
    """One direction: loss, delay + jitter, duplication, blackouts (all seeded)."""

    def __init__(self, rng, loss, delay, jitter, dup, blackouts):
        self.rng, self.loss, self.delay, self.jitter, self.dup = rng, loss, delay, jitter, dup
        self.blackouts = blackouts
        self.queue = []  # (arrival, order, datagram)
        self.order = 0

    def carry(self, t, datagrams):
        for d in datagrams:
            if any(a <= t < b for a, b in self.blackouts) or self.rng.random() < self.loss:
                continue
            for _ in range(2 if self.rng.random() < self.dup else 1):
                arrival = t + self.delay + (self.rng.randrange(self.jitter) if self.jitter else 0)
                self.queue.append((arrival, self.order, d))
                self.order += 1

    def due(self, t):
        self.queue.sort()
        n = 0
        while n < len(self.queue) and self.queue[n][0] <= t:
            n += 1
        ready = [d for _, _, d in self.queue[:n]]
        del self.queue[:n]
        return ready


def garbage(rng, conv, mss):
    kind = rng.randrange(6)
    hdr = lambda cmd, ln, sn=0, una=0, wnd=128, c=conv: struct.pack(  # noqa: E731
        "<IBBHIIII", c, cmd, 0, wnd, rng.randrange(U32), sn, una, ln)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24)))  # short
    if kind == 1:
        return hdr(81, 3, c=(conv + 1 + rng.randrange(1000)) % U32) + b"abc"  # wrong conv
    if kind == 2:
        return hdr(81, 100) + b"x" * rng.randrange(0, 100)  # len past the end
    if kind == 3:
        return hdr(rng.choice((0, 80, 85, 99, 255)), 0)  # unknown cmd
    if kind == 4:  # absurd sn far ahead / behind, in a valid PUSH: dropped or re-acked
        return hdr(81, 2, sn=rng.choice((0x7FFFFFFF, 0xFFFFFFF0, 1 << 20))) + b"zz"
    return hdr(84, 0, wnd=rng.choice((0, 65535)), una=rng.choice((0, 1 << 31)))  # wnd probe


def scenario(seed, max_steps, state_every):
    rng = random.Random(seed)
    conv = rng.randrange(1, U32)
    mode = rng.choice(sorted(MODES))
    mtu = rng.choice(MTUS)
    snd_wnd, rcv_wnd = rng.choice(WINDOWS)
    stream = rng.random() < 0.3
    loss = rng.choice((0, 0, 0.01, 0.05, 0.1, 0.2, 0.3))
    delay = rng.randrange(5, 120)
    jitter = rng.choice((0, 0, 5, 20, 60))
    dup = rng.choice((0, 0, 0.02, 0.1))
    wrap = seed % 5 == 0
    t = (U32 - rng.randrange(500, 8000)) if wrap else rng.randrange(0, 100000)
    t0 = t
    stall = seed % 4 == 1  # a reader that stops long enough for window probing
    dead = seed % 7 == 3
    if stall:  # a window the sender can fill: 128 segments
        snd_wnd, rcv_wnd = rng.choice(((32, 128), (128, 128), (256, 16)))
        mode = rng.choice(("fast", "fast3", "normal"))
        mtu = rng.choice((50, 77, 200))  # small segments keep the file small
    budget = max_steps * (5 if stall or dead else 1)
    flags = set()
    a, b = Recorder(conv, state_every), Recorder(conv, state_every)
    blackouts = [(t0 + 2000, t0 + 2000 + 60000)] if dead else []
    ab = Link(rng, loss, delay, jitter, dup, blackouts)
    ba = Link(rng, loss, delay, jitter, dup, blackouts)
    if loss:
        flags.add("Loss")
    if jitter:
        flags.add("Reorder")
    if dup:
        flags.add("Duplicate")

    for ep in (a, b):
        nd = MODES[mode]
        ep.nodelay(t, *nd)
        ep.wndsize(t, snd_wnd, rcv_wnd)
        if seed % 6 == 2:
            ep.setmtu(t, rng.choice((49, 20, -1)))
            flags.add("InvalidMtu")
        ep.setmtu(t, mtu)
        if stream:
            ep.set(t, stream=1)
        if dead:
            ep.set(t, dead_link=rng.choice((3, 4, 5)))
            flags.add("SetFields")
        if rng.random() < 0.2:
            ep.set(t, rx_minrto=rng.choice((10, 30, 50)), fastlimit=rng.choice((0, 1, 5)))
            flags.add("SetFields")
    if stream:
        flags.add("StreamMode")
    if mtu < 100:
        flags.add("TinyMtu")
    if mtu % 10:
        flags.add("OddMtu")
    if snd_wnd >= 1024:
        flags.add("BigWindow")
    if snd_wnd < 8:
        flags.add("TinyWindow")

    mss = mtu - 24
    # The application's messages: mostly small, some fragmented, one at the fragment limit.
    sizes = [rng.choice((1, 7, 40, mss - 1, mss, mss + 1, 3 * mss, 20 * mss))
             for _ in range(rng.randrange(8, 30))]
    if seed % 3 == 0:
        sizes.insert(rng.randrange(len(sizes)), 127 * mss)
        sizes.insert(rng.randrange(len(sizes)), 128 * mss)
    if stall:  # enough to fill the stalled reader's window
        sizes += [mss] * 200
    pending = [bytes(rng.randrange(256) for _ in range(min(s, 4096))) * (s // 4096 + 1)
               for s in sizes]
    pending = [p[:s] for p, s in zip(pending, sizes)]

    next_update = {id(a): t, id(b): t}
    stall_from = t0 + rng.randrange(200, 2000)
    stall_until = stall_from + rng.randrange(9000, 20000)
    interval = max(10, MODES[mode][1])
    while len(a.steps) + len(b.steps) < budget:
        # The application on A writes while its queue has room.
        if pending and a.waitsnd(t) < 2 * snd_wnd + 8:
            msg = pending.pop(0)
            r = a.send(t, msg)
            if r == -2:
                flags.add("FragmentLimit")
            elif len(msg) > mss and not stream:
                flags.add("Fragmentation")
        if rng.random() < 0.1:
            b.send(t, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60))))
        # Clock-driven work.
        for ep in (a, b):
            if (t - next_update[id(ep)]) >= 0:
                ep.update(t)
                nxt = ep.check(t) if rng.random() < 0.5 else None
                if nxt is not None:
                    # check's answer is a u32; map it back near t.
                    nxt = t + ((nxt - t) % U32)
                next_update[id(ep)] = nxt if nxt is not None and nxt > t else t + interval
            elif rng.random() < 0.03:
                ep.flush(t)
        for ep, link in ((a, ab), (b, ba)):
            link.carry(t, ep.wire)
            ep.wire = []
        for d in ab.due(t):
            b.input(t, d)
        for d in ba.due(t):
            a.input(t, d)
        if rng.random() < 0.02:
            (a if rng.random() < 0.5 else b).input(t, garbage(rng, conv, mss))
            flags.add("GarbageInput")
        # Readers: B reads unless stalled; A reads B's small replies.
        stalled = stall and stall_from <= t < stall_until
        if not stalled:
            for ep in (b, a):
                for _ in range(4):
                    choice = rng.random()
                    if choice < 0.1:
                        size = ep.peeksize(t)
                        length = size if size > 0 else 65536
                    elif choice < 0.2:
                        length = rng.randrange(1, 16)
                    else:
                        length = 65536 if not stream else rng.choice((100, 1000, 65536))
                    r, _ = ep.recv(t, max(1, length))
                    if r == -3:
                        flags.add("RecvTooSmall")
                    if r == -2:
                        flags.add("RecvIncomplete")
                    if r < 0:
                        break
        elif b.kcp.rmt_wnd == 0 or a.kcp.rmt_wnd == 0 or b.kcp.nrcv_que >= b.kcp.rcv_wnd:
            flags.add("ZeroWindowProbe")
        if a.kcp.state % U32 == U32 - 1 or b.kcp.state % U32 == U32 - 1:
            flags.add("DeadLink")
        if t >= U32:
            flags.add("ClockWrap")
        if not pending and not ab.queue and not ba.queue and a.kcp.waitsnd() == 0 and \
                b.kcp.nrcv_que == 0 and not stalled and (t - t0) > 3000:
            break
        quiet = (stall and stall_from <= t < stall_until) or \
            any(x <= t < y for x, y in blackouts)
        t += rng.choice((50, 100, 250)) if quiet else rng.choice((1, 2, 5, 10, 10, 20, 37))

    # The last step of each case carries its state.
    for ep in (a, b):
        if ep.steps:
            ep.steps[-1]["state"] = ep.state()
    name = (f"seed{seed}-{mode}-mtu{mtu}-wnd{snd_wnd}x{rcv_wnd}-loss{int(loss * 100)}"
            f"-delay{delay}" + ("-stream" if stream else ""))
    cases = []
    for label, ep in (("A", a), ("B", b)):
        cases.append({
            "id": f"ikcp/seed{seed}/{label}",
            "name": f"{name}-{label}",
            "reference": "ikcp",
            "comment": f"endpoint {label} of seed {seed}: {mode} mode over a link with "
                       f"{int(loss * 100)}% loss, {delay} ms delay, jitter {jitter} ms",
            "flags": sorted(flags),
            "config": {"conv": conv},
            "steps": ep.steps,
        })
    return cases, flags


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", help="seeds, e.g. 1-100 or 3,17,40-45")
    ap.add_argument("--random", type=int, metavar="N", help="N fresh random seeds")
    ap.add_argument("--out", required=True, help="output .json or .json.gz")
    ap.add_argument("--max-steps", type=int, default=1600, help="per scenario (both ends)")
    ap.add_argument("--state-every", type=int, default=10, help="state snapshot every K steps")
    ap.add_argument("--allow-other-ikcp", action="store_true",
                    help="capture even if siokcp's ikcp.c is not classic 1.7.1")
    args = ap.parse_args(argv)

    classic, verdict = fingerprint_ikcp.verdict_line()
    if not classic and not args.allow_other_ikcp:
        print(f"capture_ikcp: refusing to capture: {verdict}", file=sys.stderr)
        return 1
    if args.random:
        seeds = [random.SystemRandom().randrange(1000, 1 << 31) for _ in range(args.random)]
        print("capture_ikcp: fresh seeds " + ",".join(map(str, seeds)))
    elif args.seeds:
        seeds = parse_seeds(args.seeds)
    else:
        ap.error("give --seeds or --random")

    cases, seen = [], {}
    for seed in seeds:
        c, flags = scenario(seed, args.max_steps, args.state_every)
        cases.extend(c)
        for f in flags:
            seen[f] = seen.get(f, 0) + 1
    doc = {
        "format": "kcpvec/1",
        "kind": "kcp-trace",
        "source": f"the C original through siokcp {siokcp.__version__} (PyPI); {verdict}; "
                  f"captured by kcpkit vectors/capture_ikcp.py with seeds "
                  f"{args.seeds or 'random'}, max-steps {args.max_steps}",
        "notes": {f: FLAG_NOTES[f] for f in sorted(seen)},
        "cases": cases,
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    if args.out.endswith(".gz"):
        with open(args.out, "wb") as f:
            f.write(gzip.compress(text, compresslevel=9, mtime=0))
    else:
        with open(args.out, "wb") as f:
            f.write(text)
    steps = sum(len(c["steps"]) for c in cases)
    print(f"capture_ikcp: {len(cases)} cases, {steps} steps -> {args.out}; flags: "
          + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
