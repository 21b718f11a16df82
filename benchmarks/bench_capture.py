"""Benchmark (not a test): ``tui-tutor capture --json`` against ``tshark -q -z conv,tcp``.

Three captures, made in a temporary folder (``--keep DIR`` keeps them there):

1. **real**: 1,000,000 packets of HTTP-like traffic recorded from the Linux kernel:
   ``capture_traffic.py`` runs 96 clients and a server on the loopback of a network
   namespace of its own, lossy (nftables drops 0.8% of the packets), over IPv4 and
   IPv6, and tcpdump records the first million packets whole. Nothing is
   synthesised. Needs root, ``ip``, ``nft`` and ``tcpdump``; ``--capture FILE`` reads
   a recording made before instead.
2. **varied**: the worst case, 1,000,000 packets written with dpkt: short
   connections (handshake, a request and an answer, a close, an abort or a refusal,
   one in ten over IPv6) whose every data segment has a random size, so no two
   connections have the same numbers (the per-segment work is all there is).
3. **10M**: the real recording played ten times one after another (each copy's
   addresses, sequence numbers and times moved: ``capture_traffic.grow``), each
   packet cut to its first 128 bytes (``tcpdump -s 128``) so that it fits on a disk:
   memory must stay what it was for one million. tshark is not run on it (it keeps
   every packet: 1.4 GB for the real million).

tui-tutor and tshark run in turn, ``--rounds`` times (3) on each capture, so both
see the same machine, each writing its output to a file, as ``capture --json FILE >
out.json`` does (tui-tutor then reads the capture once: damage would cut the output
file back, instead of a checking pass first). The table gives the median of each
figure: wall time, CPU time (user + system, tui-tutor's two processes together: it
reads and splits in a child process while both analyse and render) and peak memory
(the peak resident set of each process, summed over tui-tutor's two, read every 10 ms:
an upper bound, pages the child shares with its parent count twice), and tui-tutor /
tshark ratios. Aims: wall time at most 0.5x tshark's on the real capture and 0.7x on
the varied one, peak memory under 100 MB on every capture. Then the app's cold
start (``bench_app.py``'s, ``--cold-starts`` runs): to its first painted screen and
``open CAPTURE`` to its list, as ratios to a bare Textual app (aim: 1.3x), and the
load average at the start and the end (the machine is shared: read the ratios, which
see the same load, rather than the seconds).

    sudo .venv/bin/python benchmarks/bench_capture.py [--rounds N] [--keep DIR]
        [--capture REAL.pcap] [--packets N] [--no-ten-million] [--cold-starts N]

The synthetic writer builds each kind of packet once with dpkt and copies it with
the addresses, ports and sequence numbers patched in (building a million dpkt
objects would take a minute); checksums stay as dpkt computed them for the
template, and neither reader checks them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import dpkt

sys.path.insert(0, str(Path(__file__).parent))
import capture_traffic  # beside this file

AIMS = {"real": 0.5, "varied": 0.7}
MEMORY_AIM = 100  # MB

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


class Run:
    """One command's figures: wall and CPU seconds, peak memory in MB."""

    def __init__(self, wall: float, cpu: float, peak: float) -> None:
        self.wall, self.cpu, self.peak = wall, cpu, peak


def run(cmd: list[str], out: Path) -> Run:
    """Run ``cmd`` with its output going to the file ``out``; its figures (module doc)."""
    start = time.perf_counter()
    with out.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4's usage includes the children the process waited for: both of ours. (Its
    # ru_maxrss is no use: it counts the memory of this process, forked, before exec.)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.strip()}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, peak[0] / 1024)


def _tree_rss(pid: int) -> int:
    """Memory in KiB of ``pid`` and its children: the sum of their peaks so far (VmHWM),
    an upper bound (pages a forked child shares with its parent count twice)."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        return 0
    for each in pids:
        try:
            with open(f"/proc/{each}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def median(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, k) for r in runs) for k in ("wall", "cpu", "peak")))


def ours_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "tui_tutor", "capture", "--json", str(path)]


def tshark_cmd(path: Path) -> list[str]:
    return ["tshark", "-n", "-r", str(path), "-q", "-z", "conv,tcp"]


def tcpdump_cmd(path: Path) -> list[str]:
    # one line per packet, no name lookups: tcpdump's plainest full read of the file
    return ["tcpdump", "-n", "-r", str(path)]


def compare(
    name: str, path: Path, rounds: int, with_tshark: bool, with_tcpdump: bool
) -> tuple[Run, Run | None, Run | None]:
    """Each tool in turn, ``rounds`` times: the median figures of each."""
    ours: list[Run] = []
    theirs: list[Run] = []
    dumps: list[Run] = []
    out = path.with_suffix(".out")
    try:
        for _ in range(rounds):
            ours.append(run(ours_cmd(path), out))
            if with_tshark:
                theirs.append(run(tshark_cmd(path), out))
            if with_tcpdump:
                dumps.append(run(tcpdump_cmd(path), out))
    finally:
        out.unlink(missing_ok=True)
    return (
        median(ours),
        (median(theirs) if theirs else None),
        (median(dumps) if dumps else None),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make the captures here and keep them")
    parser.add_argument("--capture", type=Path, help="a real recording made before")
    parser.add_argument("--no-ten-million", action="store_true", help="skip the 10M capture")
    parser.add_argument(
        "--cold-starts", type=int, default=7, help="runs of the cold start (0: none)"
    )
    args = parser.parse_args()
    print(f"load average at the start: {_load()}")
    # the interpreter's build counts: Debian's python3 (built with PGO and LTO) read these
    # captures with about a tenth less CPU than a plain source build of the same version
    print(f"python: {sys.executable} {sys.version.split()[0]}")
    have_tshark = shutil.which("tshark") is not None
    have_tcpdump = shutil.which("tcpdump") is not None
    if not have_tshark:
        print("tshark is not on PATH: tui-tutor's figures only, no ratios")
    tmp = Path(tempfile.mkdtemp(prefix="bench_capture_"))
    folder = args.keep or tmp
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, float, Run, Run | None, Run | None]] = []
    try:
        real = args.capture or folder / "real.pcap"
        if args.capture is None:
            took = capture_traffic.record(real, args.packets)
            print(
                f"real: recorded {args.packets:,} packets in {took:.0f} s, "
                f"{real.stat().st_size / 1e6:.0f} MB"
            )
        else:
            print(f"real: {real}, {real.stat().st_size / 1e6:.0f} MB")
        varied = folder / "varied.pcap"
        started = write_capture(varied, args.packets, varied=True)
        print(
            f"varied: {args.packets:,} packets, {started:,} connections, "
            f"{varied.stat().st_size / 1e6:.0f} MB"
        )
        captures = [("real", real), ("varied", varied)]
        if not args.no_ten_million:
            big = folder / "ten_million.pcap"
            t0 = time.perf_counter()
            written = capture_traffic.grow(real, big, 10, snaplen=128)
            print(
                f"10M: {written:,} packets, {big.stat().st_size / 1e6:.0f} MB, "
                f"written in {time.perf_counter() - t0:.0f} s"
            )
            captures.append(("10M", big))
        for name, path in captures:
            tshark_too = have_tshark and name != "10M"
            ours, theirs, dump = compare(
                name, path, 1 if name == "10M" else args.rounds, tshark_too, have_tcpdump
            )
            rows.append((name, path.stat().st_size / 1e6, ours, theirs, dump))
            _report(name, ours, theirs, dump)
        print()
        _table(rows)
        if args.cold_starts:
            _cold_starts(args.cold_starts, tmp)
        print(f"load average at the end: {_load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _load() -> str:
    """The load average (1, 5, 15 min) on this shared machine of ``os.cpu_count()`` cores."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def _cold_starts(runs: int, folder: Path) -> None:
    """The app's cold start to its first painted screen, and ``open CAPTURE`` to its list
    of connections, against a bare Textual app (``bench_app.py``, alternated, medians)."""
    import bench_app  # beside this file

    data = folder / "app-data"
    data.mkdir()
    times, cpu = bench_app.cold_start(runs, data, bench_app.CAPTURE)
    hello, hello_cpu = statistics.median(times["hello"]), statistics.median(cpu["hello"])
    print(f"\ncold start to the first painted screen, median of {runs} (aim: at most 1.3x):")
    for name, label in (
        ("hello", "Textual hello world"),
        ("picker", "tui-tutor (the lesson picker)"),
        ("list", f"tui-tutor open {bench_app.CAPTURE.name} to its list"),
    ):
        wall, used = statistics.median(times[name]), statistics.median(cpu[name])
        print(
            f"  {label:<52} {wall * 1000:6.0f} ms {wall / hello:5.2f}x   "
            f"CPU {used * 1000:5.0f} ms {used / hello_cpu:5.2f}x"
        )


def _report(name: str, ours: Run, theirs: Run | None, dump: Run | None) -> None:
    line = f"{name}: tui-tutor {ours.wall:.2f} s ({ours.cpu:.2f} s CPU, {ours.peak:.0f} MB)"
    for tool, figures in (("tshark", theirs), ("tcpdump", dump)):
        if figures is not None:
            line += (
                f"; {tool} {figures.wall:.2f} s ({figures.cpu:.2f} s CPU, {figures.peak:.0f} MB)"
            )
    print(line, flush=True)


def _ratio(ours: float, theirs: Run | None, key: str) -> str:
    return f"{ours / getattr(theirs, key):.2f}" if theirs is not None else "-"


def _figure(run_: Run | None, key: str, form: str) -> str:
    return format(getattr(run_, key), form) if run_ is not None else "-"


def _table(rows: list[tuple[str, float, Run, Run | None, Run | None]]) -> None:
    """Wall time, throughput (MB of capture a second), CPU and peak memory, side by side."""
    print(
        f"{'capture':8} {'MB':>5} | {'wall s':>6} {'tshark':>6} {'tcpdump':>7} {'/tshark':>7} "
        f"{'aim':>4} {'/tcpdump':>8} | {'MB/s':>5} {'tshark':>6} {'tcpdump':>7} | "
        f"{'CPU s':>6} {'tshark':>6} {'tcpdump':>7} | {'peak MB':>7} {'tshark':>6} {'tcpdump':>7}"
    )
    for name, size, ours, theirs, dump in rows:
        aim = AIMS.get(name)
        rates = [(f"{size / r.wall:.0f}" if r is not None else "-") for r in (ours, theirs, dump)]
        print(
            f"{name:8} {size:5.0f} | {ours.wall:6.2f} {_figure(theirs, 'wall', '.2f'):>6} "
            f"{_figure(dump, 'wall', '.2f'):>7} {_ratio(ours.wall, theirs, 'wall'):>7} "
            f"{(f'{aim:.1f}' if aim and theirs else '-'):>4} "
            f"{_ratio(ours.wall, dump, 'wall'):>8} | "
            f"{rates[0]:>5} {rates[1]:>6} {rates[2]:>7} | "
            f"{ours.cpu:6.2f} {_figure(theirs, 'cpu', '.2f'):>6} "
            f"{_figure(dump, 'cpu', '.2f'):>7} | "
            f"{ours.peak:7.0f} {_figure(theirs, 'peak', '.0f'):>6} "
            f"{_figure(dump, 'peak', '.0f'):>7}"
        )
    print(
        "aims: wall time / tshark's at most the aim; peak memory under "
        f"{MEMORY_AIM} MB on every capture (tcpdump -n -r: its one line a packet, for scale)"
    )


if __name__ == "__main__":
    sys.exit(main())
