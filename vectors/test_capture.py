#!/usr/bin/env python3
"""Self-test of the capture tool: determinism, format rules, scenario coverage, oracle."""
import gzip
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_ikcp  # noqa: E402
import fingerprint_ikcp  # noqa: E402

HEX = re.compile(r"^([0-9a-f]{2})*$")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def capture(args):
    path = os.path.join(tempfile.mkdtemp(), "x.json.gz")
    capture_ikcp.main(args + ["--out", path])
    with open(path, "rb") as f:
        raw = f.read()
    return raw, json.loads(gzip.decompress(raw))


raw1, doc = capture(["--seeds", "1-4"])
raw2, _ = capture(["--seeds", "1-4"])
check("same seeds give the same bytes", raw1 == raw2)
check("format", doc["format"] == "kcpvec/1" and doc["kind"] == "kcp-trace")
ops = set()
for case in doc["cases"]:
    check("case keys", {"id", "name", "reference", "config", "steps"} <= case.keys(), case.get("id"))
    for step in case["steps"]:
        ops.add(step["op"])
        ok = "t" in step and "op" in step and isinstance(step["out"], list)
        ok = ok and all(HEX.match(o) for o in step["out"]) and 0 <= step["t"] < 2**32
        ok = ok and HEX.match(step.get("data", ""))
        if not ok:
            check("step format", False, json.dumps(step)[:200])
            break
check("ops exercised", {"send", "input", "recv", "update", "check", "flush", "peeksize",
                        "waitsnd", "nodelay", "wndsize", "setmtu"} <= ops, sorted(ops))

_, wide = capture(["--seeds", "1-40"])
flags = set(f for c in wide["cases"] for f in c["flags"])
for needed in ("FragmentLimit", "Fragmentation", "StreamMode", "ZeroWindowProbe", "TinyMtu",
               "InvalidMtu", "ClockWrap", "DeadLink", "RecvTooSmall", "GarbageInput", "Loss",
               "Reorder", "Duplicate", "BigWindow", "TinyWindow", "SetFields"):
    check(f"coverage {needed}", needed in flags)

classic, verdict = fingerprint_ikcp.verdict_line()
check("siokcp bundles the classic 1.7.1 ikcp.c", classic, verdict)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
