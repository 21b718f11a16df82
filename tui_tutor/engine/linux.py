"""Where the engine and Linux differ: the one list the README and ``tui-tutor live`` share.

The README's section "Where the engine and Linux differ" prints ``en`` of each
entry, in this order (a test keeps them the same). Live mode marks a difference
it finds between the engine and the kernel with the ``id`` of the entry that
explains it, so a learner sees "known" instead of a surprise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownDifference:
    id: str
    en: str
    zh: str


LINUX_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference(
        "rto",
        "RTT is not measured: the retransmission timeout starts at 1 s and doubles. Linux "
        "measures the round trip first, so on loopback it resends data and FINs after about "
        "200 ms (a SYN, sent before anything was measured, after 1 s as the engine does).",
        "不测量往返时间：重传超时从 1 秒开始并逐次加倍。Linux 先测量往返时间，所以在回环接口上"
        "大约 200 毫秒后就重发数据和 FIN（SYN 发出时还没有测量，和引擎一样 1 秒后重发）。",
    ),
    KnownDifference(
        "syn-linear",
        "Newer Linux kernels resend a lost SYN 1 s apart several times before doubling "
        "(`net.ipv4.tcp_syn_linear_timeouts`, 4 by default); the engine doubles from the first "
        "resend (1, 2, 4 s), as RFC 6298 and older kernels do.",
        "较新的 Linux 内核在加倍之前会以 1 秒的间隔重发丢失的 SYN 若干次"
        "（`net.ipv4.tcp_syn_linear_timeouts`，默认 4 次）；引擎从第一次重发起就加倍"
        "（1、2、4 秒），与 RFC 6298 和较早的内核一致。",
    ),
    KnownDifference(
        "delayed-ack",
        "Linux decides by itself when to delay an ACK: the ACK of a FIN that follows data "
        "waits about 40 ms (quick-ack is off after a FIN, which is why captures so often show "
        "FIN, FIN,ACK, ACK), one before any data at most a clock tick. The engine ACKs at once "
        "unless the scenario sets `delayed_ack`, and then waits 40 ms.",
        "Linux 自己决定何时延迟 ACK：数据之后到来的 FIN，其 ACK 大约等 40 毫秒"
        "（收到 FIN 后不再快速确认，所以抓包里常见 FIN、FIN,ACK、ACK 三段）；还没有数据时"
        "最多等一个时钟节拍。引擎立即发送 ACK，除非场景设置了 `delayed_ack`，那时等 40 毫秒。",
    ),
    KnownDifference(
        "ack-timer-first",
        "The delayed-ACK timer can run out before the application's next call. Where the "
        "engine's delayed ACK rides on the segment that call sends (a three-segment close: FIN, "
        "FIN+ACK, ACK), Linux's ACK then goes alone and the call's segment follows on its own: "
        "four segments, and the other peer passes through FIN_WAIT_2. Linux holds the ACK of a "
        "FIN that comes before any data only until the next clock tick (1 to 10 ms), so live "
        "mode's next call, a few milliseconds later, often comes too late; on a busy machine, "
        "almost always.",
        "延迟确认定时器可能在应用的下一次调用之前就到期。引擎里延迟的 ACK 搭载在那次调用发送的"
        "报文段上（三个报文段的关闭：FIN、FIN+ACK、ACK）；而 Linux 这时已经单独发出了 ACK，"
        "那次调用的报文段随后单独发出：共四个报文段，对端还会经过 FIN_WAIT_2。对于在任何数据"
        "之前到来的 FIN，Linux 只把它的 ACK 保留到下一个时钟节拍（1 到 10 毫秒），所以实机模式"
        "在几毫秒之后才进行的下一次调用常常已经太晚；在繁忙的机器上几乎总是如此。",
    ),
    KnownDifference(
        "blocked-send",
        "A send() before the connection is open: the engine's TCP keeps the bytes and sends them "
        "on the third segment as soon as the SYN,ACK comes. Linux keeps the application waiting "
        "in send() instead, and holds its ACK of the SYN,ACK (up to 200 ms) until the woken "
        "application has written: the third segment leaves when the application gets to run, "
        "at once on an idle machine, some milliseconds later on a busy one.",
        "在连接建立之前调用 send()：引擎的 TCP 自己保存这些字节，SYN,ACK 一到就把它们放在第三个"
        "报文段里发出。Linux 则让应用在 send() 里等待，并把对 SYN,ACK 的 ACK 保留（最多 200 "
        "毫秒），直到被唤醒的应用写入数据：第三个报文段在应用得到运行机会时才发出，空闲的机器上"
        "立即发出，繁忙的机器上要晚几毫秒。",
    ),
    KnownDifference(
        "timer-race",
        "Two timers that run out at the same moment fire in the engine in the order they were "
        "started; Linux's timer wheel rounds deadlines, so either may fire first (after a lost "
        "SYN,ACK the server may resend it before the client resends its SYN).",
        "两个在同一时刻到期的定时器，在引擎里按启动的先后触发；Linux 的时间轮会对到期时间取整，"
        "所以哪一个先触发都有可能（SYN,ACK 丢失后，服务器可能先于客户端重发 SYN 而重发 SYN,ACK）。",
    ),
    KnownDifference(
        "isn",
        "ISNs: the engine draws them uniformly at random, or takes a scenario's fixed `isn`. "
        "RFC 9293 3.4.1 (MUST-8) and RFC 6528, which Linux follows, take them from a clock that "
        "keeps rising plus a keyed hash of the addresses and ports (the lessons say so); so "
        "sequence numbers are compared relative to each ISN.",
        "初始序列号：引擎均匀随机地选取，或采用场景里固定的 `isn`。RFC 9293 3.4.1（MUST-8）和 "
        "Linux 遵循的 RFC 6528 用一个不断增长的时钟加上地址和端口的带密钥哈希来生成"
        "（课程里这样讲）；所以比较序列号时用相对于各自初始序列号的相对值。",
    ),
    KnownDifference(
        "time-wait",
        "TIME_WAIT lasts 60 s on Linux whatever the MSL; the engine's lasts 2×MSL (60 s with "
        "the default `msl = 30`).",
        "在 Linux 上 TIME_WAIT 总是持续 60 秒，与 MSL 无关；引擎的持续 2×MSL"
        "（默认 `msl = 30` 时为 60 秒）。",
    ),
    KnownDifference(
        "fin-wait-2-orphan",
        "FIN_WAIT_2 lasts until the other FIN comes. Linux drops an orphaned connection (one "
        "whose application has closed) after `tcp_fin_timeout`, 60 s.",
        "FIN_WAIT_2 一直持续到对方的 FIN 到来。Linux 会在 `tcp_fin_timeout`（60 秒）之后丢弃"
        "孤儿连接（应用程序已经关闭的连接）。",
    ),
    KnownDifference(
        "time-wait-syn",
        "TIME_WAIT never accepts a new SYN (it answers with a challenge ACK). RFC 9293 3.6.1 "
        "(MAY-2) and Linux accept a new SYN whose sequence number is past the old connection's.",
        "TIME_WAIT 从不接受新的 SYN（以挑战 ACK 回应）。RFC 9293 3.6.1（MAY-2）和 Linux "
        "接受序列号超过旧连接的新 SYN。",
    ),
    KnownDifference(
        "not-modelled",
        "Not modelled: congestion control, fast retransmit, SACK, window scaling, timestamps, "
        "window sizes and MSS negotiation (live mode compares flags, numbers and lengths, not "
        "windows or options).",
        "未建模：拥塞控制、快速重传、SACK、窗口缩放、时间戳、窗口大小和 MSS 协商"
        "（实机模式比较标志位、序列号和长度，不比较窗口和选项）。",
    ),
)

KNOWN: dict[str, KnownDifference] = {d.id: d for d in LINUX_DIFFERENCES}
