"""The capture reader's connection count against tshark's, over a folder of captures.

    .venv/bin/python tests/captures/tshark_compare.py [FOLDER] [--all]

FOLDER defaults to the ``tests/`` folder of tcpdump's repository (its 830 test
captures), taken from the workplace's mirror of it. For every pcap/pcapng file
(gzip too) it counts tshark's TCP conversations (``tshark -r FILE -q -z conv,tcp``)
and the connections ``tui-tutor capture`` finds, then prints each file where
tshark finds TCP and the counts differ (``--all``: every file with TCP), the
files the reader refused or crashed on, and a summary line. Each file gets 30
seconds; the reader running longer counts as a hang.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

MIRROR = Path("/work/.mirror/the-tcpdump-group+tcpdump/repo")
SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
TIMEOUT = 30


def tshark_count(path: Path) -> int | None:
    """TCP conversations tshark lists; None when it cannot read the file at all."""
    try:
        proc = subprocess.run(
            ["tshark", "-n", "-r", str(path), "-q", "-z", "conv,tcp"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return None
    lines = proc.stdout.splitlines()
    if "TCP Conversations" not in proc.stdout:
        return None
    return sum("<->" in line for line in lines)


def our_count(path: Path) -> tuple[int, str]:
    """Connections the reader finds, and what went wrong ("" when nothing did)."""
    from tui_tutor.captures import CaptureError, iter_connections

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, hang)
    signal.alarm(TIMEOUT)
    count = 0
    try:
        for connection in iter_connections(path):
            connection.json_text()
            connection.steps  # noqa: B018 -- the ladder's analysis must not fail either
            count += 1
        return count, ""
    except CaptureError as err:
        return count, f"refused: {err}"
    except TimeoutError:
        return count, "HANG"
    except Exception as err:  # a bug: say so, and go on with the other files
        return count, f"CRASH: {type(err).__name__}: {err}"
    finally:
        signal.alarm(0)


def captures(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIXES))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--all", action="store_true", help="print every file with TCP")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder
        if folder is None:
            subprocess.run(
                f"git -C {MIRROR} archive HEAD tests | tar -x -C {tmp}", shell=True, check=True
            )
            folder = Path(tmp) / "tests"
        files = captures(folder)
        with concurrent.futures.ThreadPoolExecutor(max(1, (os.cpu_count() or 2) - 1)) as pool:
            theirs = dict(zip(files, pool.map(tshark_count, files), strict=True))
        same = differ = 0
        problems = []
        only_ours = []
        for path in files:
            ours, trouble = our_count(path)
            if trouble.startswith(("CRASH", "HANG")):
                problems.append(f"{path.name}: {trouble}")
            count = theirs[path]
            if not count:
                if ours:
                    only_ours.append(f"{path.name}: {ours} (tshark {count})")
                continue
            if ours == count:
                same += 1
                if args.all:
                    print(f"{path.name}: {ours} (tshark {count})")
            else:
                differ += 1
                note = f"  [{trouble}]" if trouble else ""
                print(f"{path.name}: {ours} connections, tshark {count}{note}")
        if only_ours:
            print("TCP where tshark finds none (tshark: None = it could not read the file):")
            for line in only_ours:
                print(f"  {line}")
        for line in problems:
            print(line)
        print(
            f"{len(files)} captures; tshark finds TCP in {same + differ}: "
            f"{same} read with its count, {differ} differ; {len(problems)} crashes or hangs"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
