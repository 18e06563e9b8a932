#!/usr/bin/env python3
"""Self-test of interop/matrix/run: a harness that cannot fail proves nothing, so this
plants broken kcpkit peers (one that lies about its digest, one that refuses everything
with 127, one that is missing) and checks each is reported as it must be.

  KCPKIT_GO_BIN=build-go/bin python3 interop/matrix/test_run.py"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(os.environ.get("KCPKIT_GO_BIN", ROOT / "build-go/bin")).resolve()
CELL = r"^kcpkit>kcp-go/aes-128/fec10,3/clean/message/source$"


def fake_peer(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text("#!/usr/bin/env python3\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def matrix(*args: str) -> tuple[int, str]:
    r = subprocess.run([sys.executable, str(HERE / "run"), "--subset", "--bin-dir", str(BIN),
                        "--timeout", "15", *args], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout + r.stderr


class MatrixCatchesBrokenPeers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (BIN / "kcp-peer-go").is_file():
            message = f"no kcp-peer-go in {BIN}: run interop/matrix/build-peers"
            if "KCPKIT_GO_BIN" in os.environ:  # asked for this folder (CTest): a failure
                raise RuntimeError(message)
            raise unittest.SkipTest(message)
        cls.tmp = tempfile.TemporaryDirectory(prefix="matrix-selftest-")
        cls.dir = Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_real_go_peer_as_kcpkit_passes(self):
        # The control: with kcp-peer-go standing in for kcpkit the same cell passes.
        code, out = matrix("--kcpkit-peer", str(BIN / "kcp-peer-go"), "--only", CELL)
        self.assertEqual(code, 0, out)
        self.assertIn("1 passed, 0 failed", out)

    def test_wrong_digest_fails(self):
        # Runs the real Go peer but replaces its result line with a wrong digest.
        liar = fake_peer(self.dir, "liar", f"""
            import re, subprocess, sys
            p = subprocess.Popen([{str(BIN / "kcp-peer-go")!r}, *sys.argv[1:]], stdout=subprocess.PIPE, text=True)
            for line in p.stdout:
                line = re.sub(r"^sha256 [0-9a-f]{{64}}", "sha256 " + "0" * 64, line)
                sys.stdout.write(line)
                sys.stdout.flush()
            sys.exit(p.wait())
            """)
        code, out = matrix("--kcpkit-peer", str(liar), "--only", CELL)
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"FAIL +kcpkit>kcp-go/aes-128.*result")
        self.assertIn("0 passed, 1 failed", out)

    def test_unexpected_unsupported_fails(self):
        refuser = fake_peer(self.dir, "refuser", "import sys\nsys.exit(127)\n")
        code, out = matrix("--kcpkit-peer", str(refuser), "--only", CELL)
        self.assertEqual(code, 1, out)
        self.assertIn("exited 127", out)

    def test_peer_exiting_zero_without_result_fails(self):
        quiet = fake_peer(self.dir, "quiet", "import sys\nsys.exit(0)\n")
        code, out = matrix("--kcpkit-peer", str(quiet), "--only", r"^kcp-go>kcpkit/aes-128/fec10,3/clean/message/source$")
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL", out)

    def test_missing_peer_is_not_run_never_passed(self):
        code, out = matrix("--kcpkit-peer", str(self.dir / "absent"), "--only", CELL)
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"not run +kcpkit>kcp-go/aes-128\S* kcp-peer missing")
        self.assertIn("0 passed, 0 failed", out)
        code, out = matrix("--kcpkit-peer", str(self.dir / "absent"), "--only", CELL, "--require-kcpkit")
        self.assertEqual(code, 1, out)

    def test_gcm_on_v561_is_na_only_with_exit_127(self):
        code, out = matrix("--only", r"^kcp-go>kcp-go-5.6.1/aes-128-gcm/")
        self.assertEqual(code, 0, out)
        self.assertTrue(re.search(r"^n/a .*exit 127", out, re.M), out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
