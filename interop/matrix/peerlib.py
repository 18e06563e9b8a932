"""Running interop peers and the relay: the pieces the matrix, scale and throughput
scripts share. Standard library only. Every process is started here and ended here by
its own handle, never by name."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RESULT_RE = re.compile(r"^sha256 ([0-9a-f]{64}) bytes (\d+)$")
THROUGHPUT_RE = re.compile(r"^throughput ([0-9.]+) MB/s seconds ([0-9.]+)$")

EXIT_UNSUPPORTED = 127


@dataclass
class Peer:
    """One implementation of the kcp-peer command line."""

    name: str  # kcpkit, kcp-go, kcp-go-5.6.1
    path: Path
    supports_gcm: bool = True
    extra: list[str] = field(default_factory=list)  # flags only this implementation takes

    @property
    def present(self) -> bool:
        return self.path.is_file() and os.access(self.path, os.X_OK)


def find_peers(bin_dir: Path, kcpkit_peer: Path | None) -> dict[str, Peer]:
    kcpkit = kcpkit_peer or (bin_dir / "kcp-peer")
    if not kcpkit.is_file() and (ROOT / "build/bin/kcp-peer").is_file() and kcpkit_peer is None:
        kcpkit = ROOT / "build/bin/kcp-peer"
    return {
        "kcpkit": Peer("kcpkit", kcpkit),
        "kcp-go": Peer("kcp-go", bin_dir / "kcp-peer-go"),
        "kcp-go-5.6.1": Peer("kcp-go-5.6.1", bin_dir / "kcp-peer-go-561", supports_gcm=False),
    }


class Process:
    """A child whose stdout is read line by line (the first line may announce an
    address) and whose stderr is kept in a file."""

    def __init__(self, argv: list[str], log_dir: Path, tag: str):
        self.argv = [str(a) for a in argv]
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = log_dir / f"{tag}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        self._partial = b""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read_available(self, timeout: float) -> bool:
        """Reads what stdout has within timeout; False at EOF."""
        ready, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if not ready:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            return False
        self._partial += chunk
        *complete, self._partial = self._partial.split(b"\n")
        self.lines.extend(line.decode(errors="replace") for line in complete)
        return True

    def wait_for_listening(self, timeout: float) -> str | None:
        """The address of a `listening ADDR` first line, or None if the process ended or
        said nothing in time."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines:
                if line.startswith("listening "):
                    return line.split(" ", 1)[1].strip()
            if not self._read_available(end - time.monotonic()):
                return None
        return None

    def wait(self, timeout: float) -> int | None:
        """Exit code, or None if it ran past timeout (it is then killed)."""
        end = time.monotonic() + timeout
        while self._read_available(min(0.5, max(end - time.monotonic(), 0))):
            if time.monotonic() >= end:
                break
        try:
            code = self.proc.wait(timeout=max(end - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        while self._read_available(0):
            pass
        if self._partial:
            self.lines.append(self._partial.decode(errors="replace"))
            self._partial = b""
        self._stderr.close()
        return code

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM (the peers print their stats and exit), then wait."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._stderr.closed:
            self._stderr.close()

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def result(self) -> tuple[str, int] | None:
        """(sha256 hex, bytes) of the last stdout line, if it is a result line."""
        if not self.lines:
            return None
        m = RESULT_RE.match(self.lines[-1].strip())
        return (m.group(1), int(m.group(2))) if m else None

    def throughput(self) -> float | None:
        for line in self.lines:
            m = THROUGHPUT_RE.match(line.strip())
            if m:
                return float(m.group(1))
        return None

    def stats(self) -> dict | None:
        """The last JSON object line on stderr (--stats json)."""
        for line in reversed(self.stderr_text().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    return None
        return None

    def last_json_stdout(self) -> dict | None:
        for line in reversed(self.lines):
            if line.strip().startswith("{"):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    return None
        return None


def expected_result(gen_peer: Peer, seed: int, nbytes: int, cache: dict) -> tuple[str, int]:
    """The digest the transfer must produce, computed by a peer's `gen` (no network)."""
    key = (seed, nbytes)
    if key not in cache:
        out = subprocess.run([str(gen_peer.path), "gen", str(nbytes), "--seed", str(seed)],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        m = RESULT_RE.match(out.strip().splitlines()[-1])
        if not m:
            raise RuntimeError(f"gen printed {out!r}")
        cache[key] = (m.group(1), int(m.group(2)))
    return cache[key]


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds user+system, RSS bytes) of a live process, from /proc/PID/stat and
    /proc/PID/status."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return cpu, rss


def udp_receive_buffer_drops() -> int:
    """The host's count of UDP datagrams dropped for a full socket receive buffer
    (RcvbufErrors in /proc/net/snmp; every process on the machine counts here)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    header, values = rows[0], rows[1]
    return int(values[header.index("RcvbufErrors")])
