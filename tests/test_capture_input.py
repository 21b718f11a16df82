"""Where a capture comes from and how reading it ends: stdin, gzip, Ctrl+C, progress, two processes.

What a user sees: ``tcpdump -w - | tui-tutor capture -`` prints what the file would;
a gzip-compressed capture reads like the plain one; damage on standard input ends
the output there, still valid JSON, with the error line; Ctrl+C keeps what was read;
a large file read into a terminal shows a progress bar on stderr and nothing
extra when the output goes to a pipe.
"""

from __future__ import annotations

import gzip
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from captures import synth

from tui_tutor.captures import (
    CapturedConnection,
    CaptureError,
    Ending,
    iter_connections,
    pcapfile,
    pipeline,
    read_capture,
    summaries,
)
from tui_tutor.captures import (
    select as select_summaries,
)
from tui_tutor.captures.stream import Reading

TESTS = Path(__file__).parent
KERNEL = TESTS / "kernel"
TCPDUMP = TESTS / "captures" / "tcpdump"


def tui_tutor(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui_tutor", *args], capture_output=True, timeout=60, **kwargs
    )


def many_connections(path: Path, count: int = 300) -> Path:
    """``count`` whole connections one after another, each from its own port."""
    segs = []
    for i in range(count):
        segs += synth.handshake_and_close(
            f"10.0.0.1:{20000 + i}", "10.0.0.2:80", start=1_700_000_000.0 + i
        )
    return synth.write(path, segs)


def test_standard_input_reads_as_the_file_does(tmp_path: Path):
    path = many_connections(tmp_path / "m.pcap", 50)
    from_file = tui_tutor("capture", "--json", str(path))
    piped = tui_tutor("capture", "--json", "-", input=path.read_bytes())
    assert piped.returncode == 0 and piped.stderr == b""
    assert piped.stdout == from_file.stdout


def test_a_gzip_compressed_capture_reads_as_the_plain_one(tmp_path: Path):
    plain = KERNEL / "half_close.pcap"
    packed = tmp_path / "half_close.pcap.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    want = tui_tutor("capture", "--json", str(plain)).stdout
    assert tui_tutor("capture", "--json", str(packed)).stdout == want
    assert tui_tutor("capture", "--json", "-", input=packed.read_bytes()).stdout == want


def test_damaged_gzip_data_is_one_line_naming_the_file(tmp_path: Path):
    packed = gzip.compress(many_connections(tmp_path / "m.pcap", 20).read_bytes())
    (tmp_path / "cut.gz").write_bytes(packed[: len(packed) // 2])
    proc = tui_tutor("capture", str(tmp_path / "cut.gz"))
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().strip() == (
        f"{tmp_path / 'cut.gz'}: damaged gzip data: "
        "Compressed file ended before the end-of-stream marker was reached"
    )


def test_damage_on_standard_input_ends_the_output_there_and_keeps_what_was_read(
    tmp_path: Path,
):
    data = many_connections(tmp_path / "m.pcap", 40).read_bytes()
    proc = tui_tutor("capture", "--json", "-", input=data[:-30])  # the last record cut
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("stdin: truncated record at byte ")
    got = json.loads(proc.stdout)["connections"]  # still valid JSON
    assert len(got) == 40  # the last connection lost its last segment, not itself
    assert len(got[-1]["segments"]) == 8


def test_stopping_the_reading_keeps_every_connection_read_so_far(tmp_path, monkeypatch):
    path = many_connections(tmp_path / "m.pcap", 60)
    monkeypatch.setattr(pcapfile, "CHUNK", 4096)  # many chunks from a small file

    class StopAfterThree(Reading):
        def tick(self) -> None:
            if self.bytes > 3 * 4096:
                self.stop()

    reading = StopAfterThree()
    got = list(iter_connections(path, reading=reading))
    assert reading.stopped and not reading.done
    everything = read_capture(path)
    assert 0 < len(got) < len(everything)
    # the first ones whole, the last one as far as it was read, no error for the cut record
    assert [c.to_json() for c in got[:-1]] == [c.to_json() for c in everything[: len(got) - 1]]
    assert len(got[-1]) <= len(everything[len(got) - 1])


def test_ctrl_c_on_a_live_pipe_closes_the_json_with_what_was_read(tmp_path: Path):
    data = many_connections(tmp_path / "m.pcap", 30).read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_tutor", "capture", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    half = len(data) // 2
    proc.stdin.write(data[:half])
    proc.stdin.flush()
    time.sleep(1.5)  # read and split; no more bytes come
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.stdin.write(data[half:])  # a packet tcpdump still sent: not read any more
    proc.stdin.flush()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    got = json.loads(out)["connections"]
    assert 0 < len(got) < 30
    assert b"stopped after" in err and b"Traceback" not in err


@pytest.mark.parametrize("name", ["half_close.pcap", "simultaneous_close.pcap"])
def test_the_two_process_reading_gives_what_one_process_gives(name: str):
    path = KERNEL / name
    one = [c.json_text() for c in iter_connections(path)]
    assert list(pipeline.rendered(path, name, CapturedConnection.json_text)) == one


def test_the_two_process_reading_keeps_tunnels_and_notes_and_reports_damage(tmp_path: Path):
    def render(c: CapturedConnection) -> str:
        return repr((c.number, c.via, [s.note for s in c.steps]))

    for path in (TCPDUMP / "geneve.pcap", TCPDUMP / "rpki-rtr-oobr.pcap"):
        one = [render(c) for c in iter_connections(path)]
        assert list(pipeline.rendered(path, "x", render)) == one
    data = many_connections(tmp_path / "m.pcap", 10).read_bytes()
    (tmp_path / "cut.pcap").write_bytes(data[:-30])
    got = []
    with pytest.raises(CaptureError, match="truncated record"):
        got.extend(pipeline.rendered(tmp_path / "cut.pcap", "cut.pcap", render))
    assert len(got) == 10


def test_when_the_printing_falls_behind_the_reading_process_renders_in_its_place(
    tmp_path: Path, monkeypatch
):
    # a parent always behind: the child renders every connection itself
    monkeypatch.setattr(pipeline.Backlog, "behind", lambda self: True)
    path = many_connections(tmp_path / "m.pcap", 40)

    def render(c: CapturedConnection) -> str:
        return f"{os.getpid()} {c.json_text()}"

    texts = list(pipeline.rendered(path, "m.pcap", render))
    assert [t.split(" ", 1)[1] for t in texts] == [c.json_text() for c in read_capture(path)]
    assert all(int(t.split(" ", 1)[0]) != os.getpid() for t in texts)


def test_the_reading_process_knows_how_many_segments_the_parent_has_not_read_yet():
    read_end, write_end = os.pipe()
    try:
        backlog = pipeline.Backlog(write_end)
        for segments in (pipeline.BATCH, pipeline.BATCH, 0, pipeline.BATCH):  # 0: a text
            os.write(write_end, b"x" * 100)
            backlog.wrote(100, segments)
        assert backlog.behind()  # three batches unread
        os.read(read_end, 150)  # the first message read, the second begun
        assert not backlog.behind()  # two batches left: what it may hold
        assert backlog.segments == 2 * pipeline.BATCH
        os.read(read_end, 250)
        assert not backlog.behind() and backlog.segments == 0
    finally:
        os.close(read_end)
        os.close(write_end)


def _run_in_terminal(args: list[str], large: int) -> bytes:
    """What a terminal shows for ``tui-tutor capture ARGS`` (stdout and stderr both on it),
    with files of ``large`` bytes or more counting as large."""
    code = (
        "import sys; import tui_tutor.commands.capture as c; c.LARGE = int(sys.argv[1]); "
        "from tui_tutor.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c", code, str(large), "capture", *args])
    shown = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.waitpid(pid, 0)
    return shown


def test_a_large_file_read_into_a_terminal_shows_a_progress_bar(tmp_path: Path):
    path = many_connections(tmp_path / "m.pcap", 200)
    shown = _run_in_terminal(["--json", str(path)], large=1)
    assert b"reading" in shown and b"packets" in shown
    assert b"connections" in shown  # and the output itself


def test_a_small_file_or_a_pipe_gets_no_progress_bar(tmp_path: Path):
    path = many_connections(tmp_path / "m.pcap", 50)
    assert b"packets" not in _run_in_terminal(["--json", str(path)], large=10**12)
    piped = tui_tutor("capture", "--json", str(path))
    assert piped.stderr == b""


# ------------------------------------------------------------------ summaries


def test_summaries_say_how_each_connection_ended():
    cases = {
        "client_closes_first.pcap": Ending.CLOSED,
        "abort_with_rst.pcap": Ending.RESET,
        "connection_refused.pcap": Ending.REFUSED,
    }
    for name, ending in cases.items():
        (summary,) = summaries(KERNEL / name)
        (conn,) = read_capture(KERNEL / name)
        assert summary.ending is ending, name
        assert (summary.client, summary.server) == (conn.client, conn.server)
        assert summary.segments == len(conn) and summary.start == conn.start
        assert summary.handshake is (ending is not Ending.REFUSED)


def test_summaries_number_connections_as_the_reader_does_and_filter(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    closed = synth.handshake_and_close(c, s, start=1.0)
    unanswered = [synth.Seg("10.0.0.1:40001", "10.0.0.3:22", synth.SYN, 7, time=2.0)]
    half_open = synth.handshake_and_close("[::2]:40002", "[::1]:443", start=3.0)[:2]
    path = synth.write(tmp_path / "m.pcap", closed + unanswered + half_open)
    items = list(summaries(path))
    connections = read_capture(path)
    assert [(i.number, i.client, i.server) for i in items] == [
        (k.number, k.client, k.server) for k in connections
    ]
    ending = {i.server: i.ending for i in items}
    assert ending == {
        "10.0.0.2:80": Ending.CLOSED,
        "10.0.0.3:22": Ending.NO_ANSWER,
        "[::1]:443": Ending.OPEN,
    }
    assert [i.server for i in select_summaries(items, incomplete_handshakes=True)] == [
        "10.0.0.3:22",
        "[::1]:443",
    ]
    assert [i.server for i in select_summaries(items, text=":22")] == ["10.0.0.3:22"]
    assert [i.server for i in select_summaries(items, text="::1")] == ["[::1]:443"]
    assert select_summaries(items, resets=True) == []
    assert Ending.NO_ANSWER.zh == "无应答"
