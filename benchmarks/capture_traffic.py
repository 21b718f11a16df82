"""Real TCP traffic for the capture benchmark, recorded from the Linux kernel on loopback.

``record(path, packets)`` makes a network namespace of its own (so nothing on the
machine is touched: its loopback, its nftables rules and its sockets go away with
it), sets its loopback to a LAN's MTU (1500, no segmentation offload, so tcpdump
sees the segments the wire would carry), makes it lossy with two nftables rules
(0.4% of TCP packets dropped before tcpdump sees them, as a receiver's capture
misses them, and 0.4% after, as a sender's capture shows them lost), and runs
tcpdump and this file's HTTP-like traffic inside it until tcpdump has ``packets``.

The traffic (``generate``): 96 clients, each opening connections over and over to
an HTTP-like server on 127.0.0.1 or ::1 (a third over IPv6). A connection makes
1 to 8 requests (keep-alive reuse) for bodies of random sizes (log-normal: half
below 3 kB, a few up to 400 kB); most close from the client, some from the
server, some end in a RST from either side, some requests go to a port where
nothing listens (refused). Some clients read slowly through a small receive
buffer, so the server sees the window close and open (window updates, zero
window probes). Losses bring retransmissions, duplicate ACKs and SACKs.

``grow(src, dst, copies)`` makes a longer capture from a recorded one: the
recording played ``copies`` times one after another, each copy's addresses moved
to a subnet of its own and its sequence numbers by an offset of its own, its
times after the previous copy's. So a 10-million-packet file costs one recording.

Run alone: ``python benchmarks/capture_traffic.py OUT.pcap [--packets N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

NFT_RULES = """
table inet lossy {
  chain input {
    type filter hook input priority 0;
    meta l4proto tcp numgen random mod 1000 < 4 drop
  }
  chain output {
    type filter hook output priority 0;
    meta l4proto tcp numgen random mod 1000 < 4 drop
  }
}
"""
CLIENTS = 96


def record(path: Path, packets: int, seed: int = 1, snaplen: int = 0) -> float:
    """Record ``packets`` packets of the traffic into ``path``; return the seconds it took."""
    for tool in ("ip", "nft", "tcpdump"):
        if not shutil.which(tool):
            raise SystemExit(f"recording needs {tool} (and root)")
    ns = f"ttcap-{os.getpid()}"
    generator = None
    start = time.perf_counter()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        run = ["ip", "netns", "exec", ns]
        lan = ["mtu", "1500", "gso_max_segs", "1", "gso_max_size", "1500"]
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up", *lan], check=True)
        subprocess.run([*run, "nft", "-f", "-"], input=NFT_RULES.encode(), check=True)
        snap = ["-s", str(snaplen)] if snaplen else []
        options = ["-i", "lo", "-n", "-B", "65536", "-c", str(packets), *snap]
        tcpdump = subprocess.Popen(
            [*run, "tcpdump", *options, "-w", str(path), "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)  # tcpdump opens its socket before the first packet
        generator = subprocess.Popen(
            [*run, sys.executable, __file__, "--generate", str(seed)],
            stdout=subprocess.DEVNULL,
        )
        _, err = tcpdump.communicate()
        if tcpdump.returncode != 0:
            raise SystemExit(f"tcpdump failed: {err.decode(errors='replace').strip()}")
        dropped = [line for line in err.decode().splitlines() if "dropped by kernel" in line]
        if dropped and not dropped[0].startswith("0 "):
            print(f"  note: tcpdump says {dropped[0]}")
    finally:
        if generator is not None:
            generator.send_signal(signal.SIGTERM)
            try:
                generator.wait(10)
            except subprocess.TimeoutExpired:
                generator.kill()
                generator.wait()
        subprocess.run(["ip", "netns", "del", ns], check=False)
    return time.perf_counter() - start


# ------------------------------------------------------------------ the traffic


def body_size(rng: random.Random) -> int:
    return min(400_000, int(rng.lognormvariate(math.log(3000), 1.6)))


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer ``GET /SIZE/HOW`` requests until the client goes; HOW says how to end."""
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            _, target, _ = request.split(b" ", 2)
            _, size, how = target.decode().split("/")
            body = b"x" * int(size)
            if how == "reset-early":  # the server aborts before it answers
                abort(writer)
                return
            last = how in ("close", "reset")
            head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body)
            head += b"Connection: close\r\n\r\n" if last else b"\r\n"
            writer.write(head + body)
            await writer.drain()
            if how == "reset":
                abort(writer)
                return
            if last:
                writer.close()
                return
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        writer.close()


def abort(writer: asyncio.StreamWriter) -> None:
    """Close with a RST (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def client(rng: random.Random, ports: dict[str, int], refused: dict[str, int]) -> None:
    while True:
        host = "::1" if rng.random() < 0.33 else "127.0.0.1"
        if rng.random() < 0.02:  # nothing listens there: SYN, RST
            with contextlib.suppress(OSError):
                await asyncio.open_connection(host, refused[host])
            continue
        slow = rng.random() < 0.08
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        if slow:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (host, ports[host]))
            reader, writer = await asyncio.open_connection(sock=sock, limit=8192)
            await talk(rng, reader, writer, slow)
        except (OSError, asyncio.IncompleteReadError):
            sock.close()


async def talk(
    rng: random.Random, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, slow: bool
) -> None:
    requests = min(8, 1 + int(rng.expovariate(0.7)))
    ending = rng.choices(
        ["client", "server", "client-reset", "server-reset", "reset-early"], [70, 15, 6, 6, 3]
    )[0]
    for n in range(requests):
        last = n == requests - 1
        how = "keep"
        if last and ending == "server":
            how = "close"
        elif last and ending == "server-reset":
            how = "reset"
        elif last and ending == "reset-early":
            how = "reset-early"
        writer.write(f"GET /{body_size(rng)}/{how} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        while length:
            chunk = await reader.read(min(length, 2048 if slow else 65536))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", length)
            length -= len(chunk)
            if slow:
                await asyncio.sleep(0.002)
        if not last and rng.random() < 0.2:
            await asyncio.sleep(rng.uniform(0.01, 0.3))  # the user reads the page
    if ending == "client-reset":
        abort(writer)
        return
    if how == "keep":
        writer.close()
    # the server's FIN (or RST) ends what is left
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        await reader.read()
    writer.close()


async def generate(seed: int) -> None:
    servers = {}
    for host in ("127.0.0.1", "::1"):
        servers[host] = await asyncio.start_server(serve, host, 0, limit=8192)
    ports = {host: srv.sockets[0].getsockname()[1] for host, srv in servers.items()}
    refused = {}
    for host in servers:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host, 0))
            refused[host] = s.getsockname()[1]  # free again once closed: nothing listens
    clients = [
        asyncio.create_task(client(random.Random(seed * 1000 + i), ports, refused))
        for i in range(CLIENTS)
    ]
    await asyncio.gather(*clients)


# ------------------------------------------------------------ a longer capture


def grow(src: Path, dst: Path, copies: int, snaplen: int = 0) -> int:
    """Write ``copies`` copies of the pcap ``src`` one after another (see the module doc);
    return the number of packets written. ``snaplen``: keep only that many bytes of each
    packet (its headers), as ``tcpdump -s`` would, so that ten copies fit on a disk; the
    lengths in the IP headers still say how much each packet carried. The recording is
    on Linux loopback: link type 1 (Ethernet), a 14-byte header."""
    data = src.read_bytes()
    header = data[:24]
    magic = header[:4]
    order = "<" if magic in (bytes.fromhex("d4c3b2a1"), bytes.fromhex("4d3cb2a1")) else ">"
    rec = struct.Struct(order + "IIII")
    records = []
    pos = 24
    while pos + 16 <= len(data):
        sec, usec, caplen, wirelen = rec.unpack_from(data, pos)
        kept = min(caplen, snaplen) if snaplen else caplen
        records.append((sec, usec, data[pos + 16 : pos + 16 + kept], wirelen))
        pos += 16 + caplen
    del data
    span = records[-1][0] - records[0][0] + 1
    written = 0
    with dst.open("wb", buffering=1 << 20) as out:
        out.write(header)
        for copy in range(copies):
            for sec, usec, packet, wirelen in records:
                frame = bytearray(packet)
                _shift(frame, copy)
                out.write(rec.pack(sec + copy * span, usec, len(frame), wirelen))
                out.write(frame)
                written += 1
    return written


def _shift(frame: bytearray, copy: int) -> None:
    """Move one Ethernet frame to copy ``copy``'s addresses and sequence numbers."""
    if not copy:
        return
    ethertype = frame[12:14]
    if ethertype == b"\x08\x00":
        ip, addrs, width = 14, 14 + 12, 4
        tcp = ip + (frame[ip] & 0x0F) * 4
        # 127.X.Y.1: the second and third bytes say which copy
        for a in (addrs, addrs + 4):
            frame[a + 1 : a + 3] = copy.to_bytes(2, "big")
    elif ethertype == b"\x86\xdd":
        ip, addrs, width = 14, 14 + 8, 16
        tcp = ip + 40
        for a in (addrs, addrs + 16):
            frame[a : a + 2] = b"\xfd\x00"  # ::1 becomes fd00::COPY:0:0:1
            frame[a + 10 : a + 12] = copy.to_bytes(2, "big")
    else:
        return
    del width
    if len(frame) < tcp + 14:
        return
    seq, ack = struct.unpack_from("!II", frame, tcp + 4)
    offset = copy * 0x9E3779B1
    flags = frame[tcp + 13]
    struct.pack_into(
        "!II",
        frame,
        tcp + 4,
        (seq + offset) & 0xFFFFFFFF,
        (ack + offset) & 0xFFFFFFFF if flags & 0x10 else ack,
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(generate(int(sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snaplen", type=int, default=0)
    args = parser.parse_args()
    took = record(args.out, args.packets, args.seed, args.snaplen)
    print(f"{args.packets:,} packets in {took:.1f} s, {args.out.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
