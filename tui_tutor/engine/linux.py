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
        "RTT is not measured: a SYN's retransmission timeout starts at 1 s, anything else's at "
        "the scenario's `rto` (1 s by default), and doubles. Linux measures the round trip, so "
        "on loopback it resends data and FINs after about 200 ms.",
        "不测量往返时间：SYN 的重传超时从 1 秒开始，其他报文段从场景的 `rto` 开始（默认 1 秒），"
        "并逐次加倍。Linux 会测量往返时间，所以在回环接口上大约 200 毫秒后就重发数据和 FIN。",
    ),
    KnownDifference(
        "syn-linear",
        "Newer Linux kernels (6.5 and later) resend a lost SYN 1 s apart 4 times before "
        "doubling and then allow 4 more (`net.ipv4.tcp_syn_linear_timeouts`, 4 by default); "
        "the engine doubles from the first resend (1, 2, 4 s), as RFC 6298 and older kernels "
        "do, unless the scenario sets `sysctl.tcp_syn_linear_timeouts`.",
        "较新的 Linux 内核（6.5 及以后）在加倍之前会以 1 秒的间隔重发丢失的 SYN 4 次，并多允许 4 次"
        "（`net.ipv4.tcp_syn_linear_timeouts`，默认 4）；引擎从第一次重发起就加倍（1、2、4 秒），"
        "与 RFC 6298 和较早的内核一致，除非场景设置了 `sysctl.tcp_syn_linear_timeouts`。",
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
        "ISNs: a peer's first ISN is drawn at random, or is the scenario's fixed `isn`; its "
        "later ones follow Linux's clock (RFC 6528, one tick every 64 ns), with the same hash "
        "whatever the ports, where Linux's keyed hash depends on the addresses and ports. So "
        "sequence numbers are compared relative to each ISN.",
        "初始序列号：一端的第一个初始序列号随机选取，或采用场景里固定的 `isn`；"
        "之后的按 Linux 的时钟增长（RFC 6528，每 64 纳秒一格），但不论端口如何哈希部分都相同，"
        "而 Linux 的带密钥哈希取决于地址和端口。所以比较序列号时用相对于各自初始序列号的相对值。",
    ),
    KnownDifference(
        "time-wait",
        "TIME_WAIT lasts 60 s on Linux whatever the MSL; the engine's lasts 2×MSL (60 s with "
        "the default `msl = 30`).",
        "在 Linux 上 TIME_WAIT 总是持续 60 秒，与 MSL 无关；引擎的持续 2×MSL"
        "（默认 `msl = 30` 时为 60 秒）。",
    ),
    KnownDifference(
        "one-tcb",
        "The server is one TCB, its listening socket and its connection in one. Closing it in "
        "SYN_RECEIVED closes the listener and drops the half-open connection silently; Linux "
        "lists it as SYN-RECV in `ss` until a segment or its timer finds the listener gone. "
        "Linux also resets the connections waiting in the accept queue when the listener "
        "closes; the engine's other clients (`crowd`) are only numbers in its queues.",
        "服务器只是一个 TCB，监听套接字和连接合二为一。"
        "在 SYN_RECEIVED 中关闭它，就是关闭监听套接字，半开连接随之悄悄消失；"
        "Linux 在 `ss` 里仍把它列为 SYN-RECV，直到某个报文段或它的定时器发现监听套接字已经不在。"
        "监听套接字关闭时，Linux 还会复位全连接队列里等待的连接；"
        "引擎里的其他客户端（`crowd`）只是队列中的数字。",
    ),
    KnownDifference(
        "challenge-ack-rate",
        "Linux sends at most one challenge ACK, or duplicate ACK for a segment outside the "
        "window, per 500 ms per connection (`net.ipv4.tcp_invalid_ratelimit`); the engine "
        "answers every one.",
        "Linux 对每个连接每 500 毫秒最多发送一个挑战 ACK，或对窗口外报文段的重复 ACK"
        "（`net.ipv4.tcp_invalid_ratelimit`）；引擎对每一个都回应。",
    ),
    KnownDifference(
        "syn-cookies",
        "The engine remembers the SYN cookies it gave and takes them from its ISN clock; Linux "
        "keeps nothing and recomputes a keyed hash of the addresses, ports and time, with the "
        "MSS in it.",
        "引擎记住自己发出的 SYN cookie，并从它的初始序列号时钟取值；Linux 什么也不保存，"
        "而是重新计算地址、端口和时间的带密钥哈希，其中还编码了 MSS。",
    ),
    KnownDifference(
        "not-modelled",
        "Not modelled: congestion control, fast retransmit, SACK, window scaling, timestamps "
        "(Linux also lets into TIME_WAIT a SYN whose timestamp is newer, whatever its seq), "
        "window sizes and MSS negotiation (live mode compares flags, numbers and lengths, not "
        "windows or options).",
        "未建模：拥塞控制、快速重传、SACK、窗口缩放、时间戳（对于 TIME_WAIT，Linux 还会接受时间戳"
        "更新的 SYN，不论其序列号），窗口大小和 MSS 协商（实机模式比较标志位、序列号和长度，"
        "不比较窗口和选项）。",
    ),
)

KNOWN: dict[str, KnownDifference] = {d.id: d for d in LINUX_DIFFERENCES}
