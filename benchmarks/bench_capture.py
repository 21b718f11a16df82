"""Benchmark (not a test): ``tui-tutor capture --json`` on a capture of 1,000,000 packets.

Writes the capture with dpkt in a temporary directory: many TCP connections with
real handshakes, data and closes (four-segment and three-segment closes, aborts,
refused connections, some over IPv6), about 40 of them open at a time, then
times ``tui-tutor capture --json FILE > /dev/null`` and measures its peak memory
(``os.wait4`` gives each child's own rusage). Where tshark is on PATH it times
``tshark -r FILE -q -z conv,tcp`` on the same file in the same run and prints
the ratio. The aim: faster than tshark, peak memory under 200 MB.

    .venv/bin/python benchmarks/bench_capture.py [--packets N] [--keep DIR] [--varied]

By default each kind of connection carries the same amount of data every time, as
repeated short requests do; the reader then analyses each connection *shape* once
(``tui_tutor/captures/analysis.py``). ``--varied`` draws every data size at random,
so every connection is new to it: its worst case.

Packets are built once per kind with dpkt and then copied with the addresses,
ports and sequence numbers patched in (building a million dpkt objects would
take a minute); checksums are left as dpkt computed them for the template, and
neither reader checks them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dpkt

MASK = 0xFFFFFFFF
CONCURRENT = 40  # connections open at the same time
GAP = 20e-6  # seconds between packets: 50,000 packets a second

# (from client?, flags, payload bytes) for each kind of connection
_S, _SA, _A, _PA, _F, _R, _RA = 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14
STORIES: dict[str, list[tuple[bool, int, int]]] = {
    "four_segment_close": [
        (True, _S, 0),
        (False, _SA, 0),
        (True, _A, 0),
        (True, _PA, 120),
        (False, _A, 0),
        (False, _PA, 900),
        (True, _A, 0),
        (True, _F, 0),
        (False, _A, 0),
        (False, _F, 0),
        (True, _A, 0),
    ],
    "three_segment_close": [
        (True, _S, 0),
        (False, _SA, 0),
        (True, _A, 0),
        (True, _PA, 300),
        (False, _PA, 1400),
        (True, _A, 0),
        (False, _F, 0),
        (True, _F, 0),
        (False, _A, 0),
    ],
    "abort": [
        (True, _S, 0),
        (False, _SA, 0),
        (True, _A, 0),
        (True, _PA, 60),
        (False, _A, 0),
        (True, _RA, 0),
    ],
    "refused": [(True, _S, 0), (False, _RA, 0)],
}
WEIGHTS = {"four_segment_close": 6, "three_segment_close": 3, "abort": 1, "refused": 1}


def template(v6: bool, flags: int, payload: int) -> tuple[bytes, int, int]:
    """A frame built by dpkt, and the offsets of its IP addresses and its TCP header."""
    tcp = dpkt.tcp.TCP(sport=1, dport=2, flags=flags, win=512, data=b"x" * payload)
    if v6:
        ip: dpkt.Packet = dpkt.ip6.IP6(
            src=b"\x20\x01" + b"\0" * 14, dst=b"\x20\x01" + b"\0" * 13 + b"\1", nxt=6, hlim=64
        )
        ip.data = tcp
        ip.plen = len(tcp)
        eth_type, addr, addr_len = dpkt.ethernet.ETH_TYPE_IP6, 14 + 8, 16
    else:
        ip = dpkt.ip.IP(src=b"\x0a\0\0\1", dst=b"\x0a\0\0\2", p=6, data=tcp)
        ip.len = len(ip)
        eth_type, addr, addr_len = dpkt.ethernet.ETH_TYPE_IP, 14 + 12, 4
    eth = dpkt.ethernet.Ethernet(src=b"\0\1\2\3\4\5", dst=b"\0\1\2\3\4\6", type=eth_type, data=ip)
    frame = bytes(eth)
    return frame, addr, addr + 2 * addr_len


class Connection:
    """One story being written: its addresses, ports, next seq on each side."""

    def __init__(
        self, rng: random.Random, n: int, v6: bool, story: str, varied: bool = False
    ) -> None:
        self.v6 = v6
        self.steps = STORIES[story]
        if varied:  # every data segment a size of its own, so no two connections are alike
            self.steps = [(c, f, rng.randrange(1, 1401) if p else 0) for c, f, p in self.steps]
        self.step = 0
        width = 16 if v6 else 4
        prefix = b"\x20\x01" + b"\0" * 10 if v6 else b"\x0a"
        self.client = prefix + (n // 50000 + 1).to_bytes(width - len(prefix), "big")
        self.server = prefix + (200).to_bytes(width - len(prefix), "big")
        self.cport = 32768 + n % 28000
        self.sport = 443 if story != "refused" else 8443
        self.next = [rng.getrandbits(32), rng.getrandbits(32)]  # client, server

    def packet(self, templates: dict) -> bytes:
        from_client, flags, payload = self.steps[self.step]
        self.step += 1
        key = (self.v6, flags, payload)
        if key not in templates:
            templates[key] = template(*key)
        frame, addr, tcp = templates[key]
        buf = bytearray(frame)
        me, other = (0, 1) if from_client else (1, 0)
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        n = len(src)
        buf[addr : addr + n] = src
        buf[addr + n : addr + 2 * n] = dst
        seq = self.next[me]
        ack = self.next[other] if flags & 0x10 else 0
        if flags == _RA and self.step == 2:
            seq = 0  # a refused SYN's RST: seq 0, ack the SYN
        struct.pack_into("!HHII", buf, tcp, sp, dp, seq, ack)
        self.next[me] = (seq + payload + (1 if flags & 0x03 else 0)) & MASK
        return bytes(buf)

    @property
    def done(self) -> bool:
        return self.step >= len(self.steps)


def write_capture(path: Path, packets: int, seed: int = 1, varied: bool = False) -> int:
    """Write ``packets`` packets; return the number of connections started."""
    rng = random.Random(seed)
    templates = {
        (v6, flags, payload): template(v6, flags, payload)
        for story in STORIES.values()
        for _, flags, payload in story
        for v6 in (False, True)
    }
    names = list(WEIGHTS)
    weights = [WEIGHTS[name] for name in names]
    started = 0
    open_now: list[Connection] = []
    t = 1_700_000_000.0
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f, snaplen=65535)
        for _ in range(packets):
            while len(open_now) < CONCURRENT:
                story = rng.choices(names, weights)[0]
                open_now.append(Connection(rng, started, started % 10 == 0, story, varied))
                started += 1
            i = rng.randrange(len(open_now))
            conn = open_now[i]
            writer.writepkt_time(conn.packet(templates), t)
            if conn.done:
                open_now[i] = open_now[-1]
                open_now.pop()
            t += GAP
    return started


def run_child(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time and CPU time (user + system) in seconds and peak resident memory in MB
    of ``cmd``, its output thrown away. CPU time is the fairer comparison on a machine
    that other work shares; wall time is what a user waits."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")
    # ru_maxrss is in KiB on Linux
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the capture here and keep it")
    parser.add_argument(
        "--varied",
        action="store_true",
        help="draw every data segment's size at random: no two connections have the same "
        "shape, so the reader's per-shape cache never helps (its worst case)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_capture_"))
    path = (args.keep or tmp) / "bench.pcap"
    try:
        t0 = time.perf_counter()
        started = write_capture(path, args.packets, varied=args.varied)
        print(
            f"capture: {args.packets:,} packets, {started:,} connections, "
            f"{path.stat().st_size / 1e6:.0f} MB, written in {time.perf_counter() - t0:.1f} s"
        )
        ours, our_cpu, peak = run_child(
            [sys.executable, "-m", "tui_tutor", "capture", "--json", str(path)]
        )
        print(
            f"tui-tutor capture --json: {ours:.2f} s ({our_cpu:.2f} s CPU), "
            f"peak memory {peak:.0f} MB"
        )
        tshark = shutil.which("tshark")
        if tshark:
            theirs, their_cpu, their_peak = run_child(
                [tshark, "-r", str(path), "-q", "-z", "conv,tcp"]
            )
            print(
                f"tshark -q -z conv,tcp:    {theirs:.2f} s ({their_cpu:.2f} s CPU), "
                f"peak memory {their_peak:.0f} MB"
            )
            print(
                f"ratio (tui-tutor / tshark): {ours / theirs:.2f} wall, "
                f"{our_cpu / their_cpu:.2f} CPU"
            )
        else:
            print("tshark is not on PATH: no comparison")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
