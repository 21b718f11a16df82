"""The engine's reasons, and every sentence the grader says, in English and Simplified Chinese.

The engine says *why* in English only (a transition's ``reason`` and ``rule``,
a segment's ``Why``); this module gives every one of them in both languages,
together with the sentences the grader and its misconception rules build around
seq, ack, flags and states, the names of the answer fields, and the textbook
Chinese names of the states and events. ``missing_translations`` lists what has
no Chinese; a test keeps it empty.

Chinese follows the textbook terms: 报文段 (segment), 初始序列号 (ISN), 序列号 and
确认号 (seq, ack), 捎带确认 (an ACK riding on data or a FIN), 时序图 (the ladder),
2MSL written one way, and the RFC state names with their Chinese names beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..engine import TRANSITION_LIST, TRANSITIONS, Event, State, Transition, Why
from .names import EVENT_ZH, STATE_ZH, WHEN_ZH  # one home for the textbook names

# Why a segment was sent, and so why it carries the flags it carries.
WHY: dict[Why, dict[str, str]] = {
    Why.SYN: {
        "en": "An active open sends a SYN alone: there is nothing to acknowledge yet, so no ACK.",
        "zh": "主动打开只发送 SYN：此时还没有可以确认的东西，所以没有 ACK。",
    },
    Why.SYN_ACK: {
        "en": "The answer to a SYN carries the answerer's own SYN and an ACK of the SYN it got.",
        "zh": "对 SYN 的应答同时带上应答方自己的 SYN，以及对收到的 SYN 的 ACK。",
    },
    Why.HANDSHAKE_ACK: {
        "en": "The third segment of the handshake acknowledges the other side's SYN (its ISN): "
        "flag ACK only. It acknowledges the SYN, not the ACK that came with it: "
        "an ACK is never acknowledged.",
        "zh": "三次握手的第三个报文段确认对方的 SYN（也就是对方的初始序列号）：只有 ACK 标志。"
        "它确认的是 SYN，而不是随 SYN 一起到来的确认：ACK 本身从不被确认。",
    },
    Why.DATA: {
        "en": "Data travels with ACK set (every segment after the handshake has it); Linux also "
        "sets PSH on the last segment of a write.",
        "zh": "数据报文段带 ACK（握手之后的每个报文段都带）；Linux 还会在一次写入的最后一个报文段上"
        "置 PSH。",
    },
    Why.ACK: {
        "en": "Nothing to send, only something to acknowledge: a pure ACK with no data.",
        "zh": "没有数据要发，只需确认收到的数据：一个不带数据的纯 ACK。",
    },
    Why.FIN: {
        "en": "The application closed its side: a FIN, with ACK as on every synchronized segment.",
        "zh": "应用关闭了自己这一端：发送 FIN，并像连接同步后的所有报文段一样带 ACK。",
    },
    Why.ACK_OF_FIN: {
        "en": "A FIN arrived: TCP acknowledges it by itself, without waiting for its application. "
        "Linux may hold this ACK a little (RFC 9293 allows up to 0.5 s), too short for the "
        "FIN to be sent again.",
        "zh": "收到了 FIN：TCP 自己就会确认它，不必等应用。Linux 可能把这个 ACK 稍作延迟"
        "（RFC 9293 允许最多 0.5 秒），短到不会让对方重传 FIN。",
    },
    Why.RST_REFUSED: {
        "en": "Nothing listens on that port: the SYN is answered with RST (connection refused).",
        "zh": "该端口上没有进程在监听：用 RST 回应 SYN（连接被拒绝）。",
    },
    Why.RST_ABORT: {
        "en": "The application aborted: RST tells the other side to forget the connection now.",
        "zh": "应用中止了连接：RST 通知对方立即丢弃这个连接。",
    },
    Why.RST_BAD_ACK: {
        "en": "The segment acknowledged something that was never sent: answer with RST.",
        "zh": "该报文段确认了从未发送过的序列号：用 RST 回应。",
    },
    Why.DUPLICATE_ACK: {
        "en": "The segment did not fit the receive window (old, repeated or out of order): "
        "the receiver repeats its ACK to say what it expects next.",
        "zh": "该报文段不在接收窗口内（旧的、重复的或乱序的）："
        "接收方重复发送 ACK，说明它期望的下一个序列号。",
    },
    Why.CHALLENGE_ACK: {
        "en": "A SYN or RST that does not fit the connection gets a challenge ACK (RFC 5961).",
        "zh": "与连接不符的 SYN 或 RST 会收到一个挑战 ACK（RFC 5961）。",
    },
    Why.RETRANSMISSION: {
        "en": "The retransmission timer ran out before an ACK came: the same segment goes again, "
        "with the same seq.",
        "zh": "重传定时器在收到 ACK 之前超时：同一个报文段以相同的序列号再发一次。",
    },
    # the rest of the state machine (RST, abort, give-up, timers, queues)
    Why.RST_UNREAD: {
        "en": "close() with received data still unread: the data is lost, so a RST says so "
        "instead of a FIN (RFC 9293 3.6; Linux). It carries seq=SND.NXT and ack=RCV.NXT.",
        "zh": "调用 close() 时还有收到的数据没有读：这些数据丢失了，所以发送 RST 而不是 FIN"
        "（RFC 9293 3.6；Linux）。RST 的 seq=SND.NXT，ack=RCV.NXT。",
    },
    Why.RST_NO_CONNECTION: {
        "en": "This host has no connection for the segment (it closed, gave up or restarted): "
        "it answers with RST, and as the segment carries an ACK, the RST's seq is that ack, "
        "exactly what the other side expects (RFC 9293 3.10.7.1).",
        "zh": "本主机没有这个报文段对应的连接（已经关闭、放弃或重启过）：它用 RST 回应；"
        "因为这个报文段带着 ACK，RST 的序列号就取那个确认号，正好是对方期望的序列号"
        "（RFC 9293 3.10.7.1）。",
    },
    Why.INJECTED: {
        "en": "Neither application sent this segment: an attacker forged it, guessing the "
        "numbers, or it is an old duplicate. The receiver judges it by its numbers alone.",
        "zh": "这个报文段不是任何一方的应用发出的：它是攻击者猜测序列号伪造的，"
        "或者是一个旧的重复报文段。接收方只能凭序列号来判断它。",
    },
    Why.KEEPALIVE: {
        "en": "A keepalive probe: the connection has been idle for `tcp_keepalive_time`, so the "
        "peer sends an ACK with seq one below SND.NXT and no data. It is outside the other "
        "end's window, so a live peer must answer with an ACK.",
        "zh": "保活探测报文：连接空闲了 `tcp_keepalive_time`，于是发送一个不带数据的 ACK，"
        "其序列号比 SND.NXT 小 1。它落在对方的接收窗口之外，所以对方只要还活着，就必须回一个 ACK。",
    },
    Why.RST_KEEPALIVE: {
        "en": "No keepalive probe was answered (`tcp_keepalive_probes` of them): the other end is "
        "gone. Linux resets the connection and the application gets ETIMEDOUT.",
        "zh": "所有保活探测（共 `tcp_keepalive_probes` 个）都没有应答：对方已经不在了。"
        "Linux 复位连接，应用得到 ETIMEDOUT。",
    },
    Why.SYN_COOKIE: {
        "en": "A SYN cookie: the SYN queue is full (or `net.ipv4.tcp_syncookies` = 2), so the "
        "server answers with a SYN,ACK whose seq encodes the connection (a keyed hash of the "
        "addresses, ports and time, and the MSS) and keeps nothing. Only a valid ACK of it "
        "opens the connection; if this SYN,ACK is lost, the server will not resend it.",
        "zh": "SYN cookie：SYN 队列已满（或 `net.ipv4.tcp_syncookies` = 2），服务器回应的 SYN,ACK "
        "用序列号编码了这个连接（地址、端口和时间的带密钥哈希，以及 MSS），自己什么也不保存。"
        "只有对它的有效确认才能建立连接；这个 SYN,ACK 如果丢失，服务器不会重传。",
    },
    Why.RST_DATA_AFTER_CLOSE: {
        "en": "Data arrived for an application that has called close(): nobody can read it, so "
        "the answer is a RST whose seq is the ack of that data (RFC 9293 3.6; Linux).",
        "zh": "应用已经调用了 close()，却又收到了数据：没有人能读取它，所以回应 RST，"
        "其序列号等于那个数据报文段的确认号（RFC 9293 3.6；Linux）。",
    },
}

# An ACK of a FIN said as the case is: the answerer's own FIN still to come, already sent,
# or the FIN arriving a second time in TIME_WAIT.
WHY_ACK_OF_FIN: dict[str, dict[str, str]] = {
    "own_fin_later": {
        "en": "A FIN arrived: TCP acknowledges it by itself; this side's own FIN waits until its "
        "application closes. Linux may hold this ACK a little (RFC 9293 allows up to 0.5 s), "
        "too short for the FIN to be sent again.",
        "zh": "收到了 FIN：TCP 自己就会确认它；本方自己的 FIN 要等应用关闭后才发。Linux 可能把"
        "这个 ACK 稍作延迟（RFC 9293 允许最多 0.5 秒），短到不会让对方重传 FIN。",
    },
    "own_fin_sent": {
        "en": "A FIN arrived after this side had sent its own FIN: acknowledging it is the last "
        "segment this side sends.",
        "zh": "对方的 FIN 在本方发出自己的 FIN 之后到达：确认它，就是本方发出的最后一个报文段。",
    },
    "again": {
        "en": "The other side's FIN came again: this side cannot know whether its last ACK was "
        "lost or only late, so it acknowledges again and restarts 2MSL.",
        "zh": "对方的 FIN 又来了：本方无法知道上一个 ACK 是丢了还是只是迟到，所以再确认一次，"
        "并重新开始 2MSL 计时。",
    },
}

# Transition reasons in Chinese, by Transition.key; English comes from the engine.
TRANSITION_ZH: dict[str, str] = {
    "CLOSED/listen": "被动打开：等待 SYN",
    "CLOSED/connect": "主动打开：发送 SYN，其序列号是初始序列号",
    "LISTEN/rcv SYN": "收到 SYN：回应自己的 SYN，并确认对方的序列号加 1",
    "LISTEN/close": "停止监听",
    "LISTEN/abort": "停止监听；没有连接需要复位",
    "SYN_SENT/rcv SYN,ACK": "我方 SYN 已被确认，对方 SYN 也已到达：发送 ACK，连接建立",
    "SYN_SENT/rcv SYN": "同时打开：对方的 SYN 与我方的交叉而过；再发一次 SYN，这次带上 ACK",
    "SYN_SENT/rcv RST": "连接被拒绝：RST 确认了我方的 SYN",
    "SYN_SENT/send": "数据要等连接建立后才发送",
    "SYN_SENT/close": "在连接建立之前放弃",
    "SYN_SENT/abort": "放弃；还没有需要复位的连接",
    "SYN_SENT/retransmissions exhausted": "所有 SYN 都没有应答：连接超时",
    "SYN_RECEIVED/rcv ACK of SYN": "我方 SYN 已被确认：连接建立",
    "SYN_RECEIVED/rcv SYN,ACK": "同时打开：对方的 SYN,ACK 确认了我方的 SYN；"
    "其中的 SYN 我方已经收到过，所以再确认一次（Linux 的做法；RFC 9293 图 7 没有画出这个 ACK）",
    "SYN_RECEIVED/rcv RST (passive open)": "被动打开过程中收到复位：回到 LISTEN",
    "SYN_RECEIVED/rcv RST (active open)": "主动打开过程中收到复位：连接被拒绝",
    "SYN_RECEIVED/send": "数据要等连接建立后才发送",
    "SYN_RECEIVED/close": "握手结束之前关闭：FIN 要等我方的 SYN 被确认之后才发送"
    "（Linux；RFC 9293 图 5 立即发送）",
    "SYN_RECEIVED/abort": "中止：发送 RST,ACK（Linux 在 RFC 的 RST 上加了 ACK）",
    "SYN_RECEIVED/retransmissions exhausted": "SYN,ACK 一直没有被确认：放弃",
    "ESTABLISHED/send": "发送数据",
    "CLOSE_WAIT/send": "半关闭：我方仍然可以发送",
    "ESTABLISHED/close": "主动关闭：发送 FIN；FIN 占用一个序列号",
    "ESTABLISHED/rcv FIN": "对方已经发送完毕：确认它的 FIN（序列号加 1）",
    "FIN_WAIT_1/rcv ACK of FIN": "我方 FIN 已被确认；等待对方的 FIN",
    "FIN_WAIT_1/rcv FIN": "同时关闭：对方的 FIN 在我方 FIN 的确认之前到达",
    "FIN_WAIT_1/rcv FIN + ACK of FIN": "对方的 FIN 同时确认了我方的 FIN：确认它并等待 2MSL",
    "FIN_WAIT_2/rcv FIN": "对方的 FIN 到达：确认它，并等待 2MSL 后再丢弃连接",
    "CLOSE_WAIT/close": "被动关闭：我方也发送完毕；发送 FIN",
    "CLOSING/rcv ACK of FIN": "我方 FIN 已被确认：等待 2MSL",
    "LAST_ACK/rcv ACK of FIN": "我方 FIN 已被确认：连接彻底关闭",
    "TIME_WAIT/rcv FIN": "对方的 FIN 又来了（我方最后的 ACK 可能丢失了）："
    "再次确认，并重新开始 2MSL 计时",
    "TIME_WAIT/2MSL timeout": "2MSL 已过：网络中不可能再有旧的报文段",
    **{
        f"{s}/rcv RST": "对方复位了连接"
        for s in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT")
    },
    **{
        f"{s}/rcv RST": "关闭过程中收到复位：立即丢弃连接"
        for s in ("CLOSING", "LAST_ACK", "TIME_WAIT")
    },
    **{
        f"{s}/abort": "中止：发送 RST,ACK（Linux 在 RFC 的 RST 上加了 ACK）"
        for s in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT")
    },
    **{f"{s}/abort": "关闭过程中中止：直接丢弃连接" for s in ("CLOSING", "LAST_ACK", "TIME_WAIT")},
    **{
        f"{s}/retransmissions exhausted": "所有重传都没有被确认：放弃"
        for s in ("ESTABLISHED", "FIN_WAIT_1", "CLOSE_WAIT", "CLOSING", "LAST_ACK")
    },
    # the rest of the state machine (RST, abort, give-up, timers, queues)
    "LISTEN/send": "有数据要发送：被动打开变为主动打开，发送 SYN"
    "（套接字 API 做不到；Linux 拒绝在监听套接字上写数据）",
    "SYN_RECEIVED/retransmissions exhausted (passive open)": "所有 SYN,ACK 都没有被确认"
    "（`net.ipv4.tcp_synack_retries`）：悄悄丢弃这个半开连接；监听套接字仍在（Linux）",
    "LISTEN/rcv ACK of SYN (SYN cookie)": "收到的 ACK 带回了有效的 SYN cookie："
    "根据其中的序列号重建连接，直接进入 ESTABLISHED（从未保存过 SYN_RECEIVED）",
    "TIME_WAIT/rcv SYN (new connection)": "同一端口发来新的 SYN，"
    "其序列号高于旧连接用过的所有序列号：新连接取代 TIME_WAIT"
    "（Linux，且有套接字在监听；它的初始序列号取旧的 SND.NXT + 65537）",
    "SYN_RECEIVED/close (passive open)": "监听套接字被关闭：半开连接随之悄悄消失"
    "（Linux；应用还没有拿到这个连接的套接字）",
    "FIN_WAIT_2/FIN_WAIT_2 timeout": "应用已经关闭，在 `net.ipv4.tcp_fin_timeout`（60 秒）内"
    "没有等到对方的 FIN：悄悄丢弃连接",
    **{
        f"{s}/keepalive unanswered": "所有保活探测都没有应答：对方已经不在了；复位连接（ETIMEDOUT）"
        for s in ("ESTABLISHED", "CLOSE_WAIT")
    },
    **{
        f"{s.value}/host restarts": "主机崩溃后重启：它的连接全部被遗忘，什么也不发送"
        for s in State
        if s is not State.CLOSED
    },
    **{
        f"{s}/read": "应用读取已经到达的数据"
        for s in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT")
    },
    **{
        f"{s}/close (unread data)": "调用 close() 时还有收到的数据没有读：发送 RST 而不是 FIN"
        for s in ("ESTABLISHED", "CLOSE_WAIT")
    },
    **{
        f"{s}/rcv data (after close)": "应用关闭之后又收到新数据：没有人能读取它，复位连接"
        for s in ("FIN_WAIT_1", "FIN_WAIT_2")
    },
}

# Reasons of rows that are not the engine's table (a capture that began mid-connection).
REASON_ZH: dict[str, str] = {
    "already open when the capture began": "抓包开始时连接已经建立",
}

# Why the engine let a segment change nothing (its ``Drop`` reasons), in Chinese.
DROP_ZH: dict[str, str] = {
    "RST to a closed port: ignored": "发往已关闭端口的 RST：忽略",
    "a valid SYN cookie, but the accept queue is full: dropped": (
        "SYN cookie 有效，但全连接队列已满：丢弃"
    ),
    "RST in LISTEN: ignored": "LISTEN 状态收到 RST：忽略",
    "the SYN queue is full and SYN cookies are off: SYN dropped": (
        "半连接队列已满且 SYN cookie 关闭：丢弃 SYN"
    ),
    "the accept queue is full: SYN dropped": "全连接队列已满：丢弃 SYN",
    "neither SYN, ACK nor RST in LISTEN: dropped": (
        "LISTEN 状态收到的报文段既无 SYN、ACK 也无 RST：丢弃"
    ),
    "RST with an ACK of something never sent: ignored": "RST 确认了从未发送的序列号：忽略",
    "RST without an ACK in SYN_SENT: ignored": "SYN_SENT 状态收到不带 ACK 的 RST：忽略",
    "no SYN in SYN_SENT: dropped": "SYN_SENT 状态收到的报文段没有 SYN：丢弃",
    "RST outside the window: ignored": "RST 不在接收窗口内：忽略",
    "their FIN again: our ACK of it was lost; ACK it again": (
        "对方再次发来 FIN：我方对它的确认丢失了；再确认一次"
    ),
    "outside the receive window: dropped, ACK sent": "不在接收窗口内：丢弃，并发送 ACK",
    "RST in the window but not at RCV.NXT: challenge ACK": (
        "RST 在窗口内但不等于 RCV.NXT：回复挑战 ACK"
    ),
    "a new SYN in SYN_RECEIVED: the half-open connection is dropped": (
        "SYN_RECEIVED 状态收到新的 SYN：丢弃这个半开连接"
    ),
    "SYN on an open connection: challenge ACK (RFC 5961)": (
        "已建立的连接收到 SYN：回复挑战 ACK（RFC 5961）"
    ),
    "no ACK bit: dropped": "没有 ACK 标志：丢弃",
    "unacceptable ACK in SYN_RECEIVED: RST sent": "SYN_RECEIVED 状态收到不可接受的 ACK：发送 RST",
    "the accept queue is full: the ACK is dropped, the SYN,ACK resent later": (
        "全连接队列已满：丢弃这个 ACK，稍后重传 SYN,ACK"
    ),
    "acknowledges something never sent: dropped, ACK sent": (
        "确认了从未发送的数据：丢弃，并发送 ACK"
    ),
    "out of order: queued, duplicate ACK sent": "乱序到达：放入队列，发送重复 ACK",
}
_DATA_AFTER_FIN = re.compile(r"data after their FIN in (\w+): ignored")


def drop_note(notes: str | Iterable[str], lang: str) -> str:
    """What is said about a segment (``SegmentRecord.notes``: the engine's ``Drop`` reasons,
    a capture's own note), one or several, in ``lang``."""
    notes = (notes,) if isinstance(notes, str) else tuple(notes)
    if _lang(lang) != "zh":
        return "; ".join(notes)
    return "；".join(_drop_zh(note) for note in notes)


def _drop_zh(note: str) -> str:
    after_fin = _DATA_AFTER_FIN.fullmatch(note)
    if after_fin:
        return f"{after_fin.group(1)} 状态收到对方 FIN 之后的数据：忽略"
    return DROP_ZH.get(note, note)  # not the engine's (a capture's own note): kept as it is


# The RFC 9293 rule behind each row, in Chinese, by the engine's English.
RULE_ZH: dict[str, str] = {
    "RFC 9293 3.10.1 OPEN call": "RFC 9293 3.10.1 节，打开连接的调用",
    "RFC 9293 3.10.2 SEND call": "RFC 9293 3.10.2 节，发送数据的调用",
    "RFC 9293 3.10.4 CLOSE call": "RFC 9293 3.10.4 节，关闭连接的调用",
    "RFC 9293 3.10.5 ABORT call": "RFC 9293 3.10.5 节，中止连接的调用",
    "RFC 9293 3.10.7.2 LISTEN state": "RFC 9293 3.10.7.2 节，LISTEN 状态",
    "RFC 9293 3.10.7.3 SYN-SENT state": "RFC 9293 3.10.7.3 节，SYN_SENT 状态",
    "RFC 9293 3.10.7.4 second, check the RST bit": "RFC 9293 3.10.7.4 节第二步：检查 RST 位",
    "RFC 9293 3.10.7.4 fifth, check the ACK field": "RFC 9293 3.10.7.4 节第五步：检查 ACK 字段",
    "RFC 9293 3.10.7.4 eighth, check the FIN bit": "RFC 9293 3.10.7.4 节第八步：检查 FIN 位",
    "RFC 9293 3.10.8 timeouts": "RFC 9293 3.10.8 节，超时",
    "Linux: a closed listener drops its half-open connections (RFC 9293 3.10.4 has no such"
    " case)": "Linux：关闭监听套接字时丢弃它的半开连接（RFC 9293 3.10.4 节没有这种情况）",
    "Linux net.ipv4.tcp_synack_retries (RFC 9293 3.10.8 deletes the TCB)": (
        "Linux 的 `net.ipv4.tcp_synack_retries`（RFC 9293 3.10.8 节会删除 TCB）"
    ),
    "RFC 9293 3.5 figure 7, simultaneous open": "RFC 9293 3.5 节图 7，同时打开",
    "seen in the capture": "抓包中所见",
    "RFC 9293 3.10.3 RECEIVE call": "RFC 9293 3.10.3 节，接收数据的调用",
    "RFC 9293 3.6 SHLD-3: a RST shows that data was lost (Linux)": (
        "RFC 9293 3.6 节 SHLD-3：用 RST 表明数据丢失（Linux）"
    ),
    "Linux tcp_fin_timeout (RFC 9293 3.10.4 would wait in FIN-WAIT-2 forever)": (
        "Linux 的 `tcp_fin_timeout`（按 RFC 9293 3.10.4 节会在 FIN-WAIT-2 中一直等下去）"
    ),
    "RFC 9293 3.8.4 TCP keep-alives; Linux net.ipv4.tcp_keepalive_*": (
        "RFC 9293 3.8.4 节，TCP 保活；Linux 的 `net.ipv4.tcp_keepalive_*`"
    ),
    "RFC 9293 3.5.2 half-open connections and other anomalies": (
        "RFC 9293 3.5.2 节，半开连接及其他异常"
    ),
    "RFC 4987 3.6 SYN cookies; Linux net.ipv4.tcp_syncookies": (
        "RFC 4987 3.6 节，SYN cookie；Linux 的 `net.ipv4.tcp_syncookies`"
    ),
    "RFC 9293 3.6.1 MAY-2 (RFC 6191)": "RFC 9293 3.6.1 节 MAY-2（RFC 6191）",
}


# What happens to a peer, said as a sentence: "when {event}" / "要等到{event}".
EVENT_TEXT: dict[Event, dict[str, str]] = {
    Event.LISTEN: {"en": "its application listens", "zh": "应用被动打开"},
    Event.CONNECT: {"en": "its application connects", "zh": "应用主动打开"},
    Event.SEND: {"en": "its application sends data", "zh": "应用发送数据"},
    Event.CLOSE: {"en": "its application closes", "zh": "应用关闭"},
    Event.ABORT: {"en": "its application aborts", "zh": "应用中止连接"},
    Event.RCV_SYN: {"en": "a SYN arrives", "zh": "收到 SYN"},
    Event.RCV_SYN_ACK: {"en": "a SYN,ACK arrives", "zh": "收到 SYN,ACK"},
    Event.RCV_ACK_OF_SYN: {"en": "the ACK of its SYN arrives", "zh": "收到对自己 SYN 的确认"},
    Event.RCV_FIN: {"en": "a FIN arrives", "zh": "收到 FIN"},
    Event.RCV_ACK_OF_FIN: {"en": "the ACK of its FIN arrives", "zh": "收到对自己 FIN 的确认"},
    Event.RCV_FIN_ACK: {
        "en": "a FIN that also acknowledges its FIN arrives",
        "zh": "收到同时确认了自己 FIN 的 FIN",
    },
    Event.RCV_RST: {"en": "a RST arrives", "zh": "收到 RST"},
    Event.TIMEOUT_2MSL: {"en": "2MSL pass", "zh": "2MSL 超时"},
    Event.GIVE_UP: {"en": "its retransmissions run out", "zh": "重传次数用尽"},
    Event.READ: {"en": "its application reads", "zh": "应用读取数据"},
    Event.RCV_DATA: {"en": "data arrives", "zh": "收到数据"},
    Event.TIMEOUT_FIN_WAIT_2: {"en": "tcp_fin_timeout passes", "zh": "`tcp_fin_timeout` 超时"},
    Event.KEEPALIVE_TIMEOUT: {
        "en": "no keepalive probe is answered",
        "zh": "保活探测都没有应答",
    },
    Event.CRASH: {"en": "its host crashes and restarts", "zh": "主机崩溃后重启"},
}

# The answer fields, as the feedback names them.
FIELD_NAMES: dict[str, dict[str, str]] = {
    "flags": {"en": "flags", "zh": "标志位"},
    "seq": {"en": "seq", "zh": "序列号"},
    "ack": {"en": "ack", "zh": "确认号"},
    "len": {"en": "len", "zh": "数据长度"},
    "client_state": {"en": "client state", "zh": "客户端状态"},
    "server_state": {"en": "server state", "zh": "服务器状态"},
    "state": {"en": "state", "zh": "状态"},
    "choice": {"en": "choice", "zh": "选项"},
}


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def transition_reason(t: Transition, lang: str) -> str:
    if lang != "zh":
        return t.reason
    row = TRANSITIONS.get((t.state, t.event, t.when))
    if row is not None and row.reason == t.reason:
        return TRANSITION_ZH[t.key]
    return REASON_ZH.get(t.reason, t.reason)  # a row made elsewhere (a capture's start)


def rule(t: Transition, lang: str) -> str:
    """The RFC rule behind a row: "RFC 9293 3.10.7.4 fifth, check the ACK field"."""
    return RULE_ZH.get(t.rule, t.rule) if lang == "zh" else t.rule


def why(reason: Why, lang: str) -> str:
    return WHY[reason][_lang(lang)]


def why_ack_of_fin(case: str, lang: str) -> str:
    return WHY_ACK_OF_FIN[case][_lang(lang)]


def state_name(state: State, lang: str) -> str:
    """``CLOSE_WAIT``, or in Chinese ``CLOSE_WAIT（关闭等待）``."""
    return f"{state.value}（{STATE_ZH[state]}）" if lang == "zh" else state.value


def event_text(event: Event, lang: str) -> str:
    return EVENT_TEXT[event][_lang(lang)]


def field_name(name: str, lang: str) -> str:
    """The answer field as the learner reads it: ``client state`` / ``客户端状态``."""
    names = FIELD_NAMES.get(name)
    return names[_lang(lang)] if names else name


# Sentences the grader fills in. {v}: the value as shown; {n}: a segment number.
PHRASES: dict[str, dict[str, str]] = {
    "seq_isn": {
        "en": "seq = {v}: a SYN carries the sender's initial sequence number (ISN).",
        "zh": "序列号 = {v}：SYN 携带发送方自己的初始序列号（ISN）。",
    },
    "seq_next": {
        "en": "seq = {v} = SND.NXT: the first number this side has not used yet ({used}).",
        "zh": "序列号 = {v} = SND.NXT：本方尚未使用的第一个序列号（{used}）。",
    },
    "seq_same": {
        "en": "seq = {v}: a retransmission repeats the numbers of segment {n}.",
        "zh": "序列号 = {v}：重传使用与第 {n} 个报文段相同的序列号。",
    },
    "seq_zero": {
        "en": "seq = 0: the refusing side has no connection and no ISN; its RST acknowledges the "
        "SYN instead (RFC 9293 3.10.7.1).",
        "zh": "序列号 = 0：拒绝方没有连接，也没有初始序列号；它的 RST 改为确认那个 SYN"
        "（RFC 9293 3.10.7.1）。",
    },
    "seq_of_ack": {
        "en": "seq = {v}: a RST answering a bad ACK takes the ACK's number as its seq.",
        "zh": "序列号 = {v}：回应错误确认的 RST 以那个报文段的确认号作为自己的序列号。",
    },
    "used_syn": {"en": "the SYN took one number", "zh": "SYN 占用一个序列号"},
    "used_fin": {"en": "the FIN took one number", "zh": "FIN 占用一个序列号"},
    "used_data": {
        "en": "segment {n} carried {len} bytes",
        "zh": "第 {n} 个报文段携带了 {len} 字节",
    },
    "used_none": {"en": "nothing new sent since", "zh": "此后没有发送新的序列号"},
    "ack_none": {
        "en": "No ACK flag, so no acknowledgment number: leave ack empty.",
        "zh": "没有 ACK 标志，所以没有确认号：确认号留空。",
    },
    "ack_next": {
        "en": "ack = {v} = RCV.NXT: the next number expected from the other side ({what}).",
        "zh": "确认号 = {v} = RCV.NXT：期望从对方收到的下一个序列号（{what}）。",
    },
    "ack_of_syn": {"en": "its SYN took one number", "zh": "对方的 SYN 占用一个序列号"},
    "ack_of_fin": {"en": "its FIN took one number", "zh": "对方的 FIN 占用一个序列号"},
    "ack_of_data": {"en": "seq + {len} bytes of data", "zh": "序列号加上 {len} 字节数据"},
    "ack_same": {"en": "nothing new arrived", "zh": "没有收到新的序列号"},
    "len_is": {"en": "len = {v}: {what}", "zh": "数据长度 = {v}：{what}"},
    "len_data": {"en": "the bytes the application wrote", "zh": "应用写入的字节数"},
    "len_none": {
        "en": "this segment carries no data",
        "zh": "这个报文段不携带数据",
    },
    "len_not_seg_len": {
        "en": "len counts data bytes only; RFC 9293's SEG.LEN would also count the {what}, "
        "which takes a sequence number but carries no byte.",
        "zh": "数据长度只计数据字节；RFC 9293 的 SEG.LEN 还会把 {what} 算进去，"
        "它占用一个序列号，但不携带字节。",
    },
    "state_moves": {
        "en": "{peer}: {old} → {new}, {reason} ({rule}).",
        "zh": "{peer}：{old} → {new}，{reason}（{rule}）。",
    },
    "state_stays": {
        "en": "{peer} stays in {state}: this segment changes nothing there.",
        "zh": "{peer}保持 {state}：这个报文段不改变它的状态。",
    },
    "state_stays_end": {
        "en": "{peer} is still in {state}: nothing after the last segment changes it.",
        "zh": "{peer}仍处于 {state}：最后一个报文段之后没有什么改变它。",
    },
    "client": {"en": "client", "zh": "客户端"},
    "server": {"en": "server", "zh": "服务器"},
    "the_client": {"en": "the client", "zh": "客户端"},
    "the_server": {"en": "the server", "zh": "服务器"},
    "sender": {"en": "sender's", "zh": "发送方"},
    "receiver": {"en": "receiver's", "zh": "接收方"},
    "list_sep": {"en": ", ", "zh": "；"},
    "exit_item": {"en": "{state} when {event}", "zh": "{event} → {state}"},
    "exit_when": {"en": "{item} (in {when})", "zh": "{item}（{when}时）"},
    "passive open": {"en": "a passive open", "zh": "被动打开"},
    "active open": {"en": "an active open", "zh": "主动打开"},
    "unread data": {"en": "a close with data unread", "zh": "带着未读数据关闭"},
    "after close": {"en": "a connection its application has closed", "zh": "应用已经关闭连接"},
    "SYN cookie": {"en": "a handshake answered with a SYN cookie", "zh": "用 SYN cookie 应答握手"},
    "new connection": {"en": "a new connection from the same port", "zh": "同一端口发起新连接"},
    # ---------------------------------------------------------------- answers that cannot be read
    "e_empty": {"en": "empty answer", "zh": "答案为空"},
    "e_digits": {
        "en": '"{text}…": too many digits for a sequence number',
        "zh": "“{text}…”：数字位数太多，不可能是序列号",
    },
    "e_unreadable": {
        "en": 'cannot read "{text}": write a number, or x+1, y+1 ...',
        "zh": "无法识别“{text}”：请写一个数字，或 x+1、y+1……",
    },
    "e_symbol_once": {
        "en": '"{text}": use x or y once, added',
        "zh": "“{text}”：x 或 y 只能用一次，并且只能加上去",
    },
    "e_symbol_unknown": {
        "en": "{sym} is not known here",
        "zh": "这里不知道 {sym} 是多少",
    },
    "e_32_bits": {
        "en": "{n} does not fit in 32 bits: sequence numbers go up to {top} and then wrap to 0 "
        "(so {top} + 1 is 0)",
        "zh": "{n} 超出了 32 位：序列号最大为 {top}，之后回绕到 0（所以 {top} + 1 就是 0）",
    },
    "e_unknown_flag": {"en": "unknown flag {flags}", "zh": "未知的标志位 {flags}"},
    "e_len": {
        "en": '"{text}": len is a whole number of bytes',
        "zh": "“{text}”：数据长度是一个整数（字节数）",
    },
    "e_no_state": {"en": "No state picked: choose one.", "zh": "没有选择状态：请选一个。"},
    # ---------------------------------------------------------------- seq and ack
    "m_ack_without_flag": {
        "en": "This segment has no ACK flag: its ack field means nothing.",
        "zh": "这个报文段没有 ACK 标志：它的确认号字段没有意义。",
    },
    "m_ack_missing": {
        "en": "ACK is set, so the segment carries an acknowledgment number.",
        "zh": "ACK 标志已置位，所以报文段带有确认号。",
    },
    "m_seq_missing": {
        "en": "Every segment has a sequence number: type it (a number, or x+1, y+1 ...).",
        "zh": "每个报文段都有序列号：请填写（数字，或 x+1、y+1……）。",
    },
    "m_mode_absolute_typed": {
        "en": "That is the absolute number: this screen counts from the ISN (relative numbers; "
        "t switches to absolute).",
        "zh": "这是绝对序列号：当前界面从初始序列号算起（相对序列号；按 t 切换为绝对序列号）。",
    },
    "m_mode_relative_typed": {
        "en": "That is a relative number: this screen shows absolute numbers, as the wire "
        "carries them (t switches to relative).",
        "zh": "这是相对序列号：当前界面显示线路上实际携带的绝对序列号（按 t 切换为相对序列号）。",
    },
    "m_seq_own_one": {
        "en": "One short: this side's own {what} (segment {n}) took a sequence number, so its "
        "next seq is one past it.",
        "zh": "少了 1：本方自己的 {what}（第 {n} 个报文段）占用了一个序列号，所以下一个序列号"
        "要比它多 1。",
    },
    "m_seq_data_not_added": {
        "en": "Segment {n} carried {len} bytes, and each byte takes a sequence number: seq "
        "moves on by {len} after it.",
        "zh": "第 {n} 个报文段携带了 {len} 字节，每个字节占用一个序列号：之后的序列号要往后移 "
        "{len}。",
    },
    "m_seq_pure_ack": {
        "en": "A pure ACK takes no sequence number: segment {n} did not move this side's seq.",
        "zh": "纯 ACK 不占用序列号：第 {n} 个报文段没有让本方的序列号前进。",
    },
    "m_seq_last_ack": {
        "en": "That is the ack this side last received: it says what the other side has got "
        "so far, not where this side's numbers are. Count everything this side has sent, "
        "acknowledged or not.",
        "zh": "这是本方最近收到的确认号：它说明对方已经收到了哪些，而不是本方的序列号走到了哪里。"
        "要数本方发出的全部内容，不论是否已被确认。",
    },
    "m_seq_swapped": {
        "en": "Swapped: seq counts the sender's own numbers (from its ISN {sym}); that number "
        "is the other side's, what the ack carries.",
        "zh": "弄反了：序列号计的是发送方自己的编号（从它的初始序列号 {sym} 算起）；这个数是"
        "对方的编号，是确认号里的内容。",
    },
    "m_seq_retransmission": {
        "en": "A retransmission sends segment {n} again with the same numbers: it does not move "
        "on to new ones.",
        "zh": "重传是把第 {n} 个报文段用相同的序列号再发一次：不会换成新的序列号。",
    },
    "m_seq_no_isn": {
        "en": "The refusing side has no connection and so no ISN of its own: its seq cannot "
        "count from one (RFC 9293 3.10.7.1 says what goes there).",
        "zh": "拒绝方没有连接，也就没有自己的初始序列号：它的序列号无从算起"
        "（RFC 9293 3.10.7.1 规定了这里填什么）。",
    },
    "m_wrong_isn": {
        "en": "Wrong side: {field} counts from the {whose} ISN ({sym}).",
        "zh": "弄错了一方：{field}从{whose}的初始序列号（{sym}）算起。",
    },
    "m_seq_rule": {
        "en": "seq is SND.NXT, the first number this side has not used: its ISN, plus one for "
        "its SYN, plus each data byte it sent, plus one for its FIN (a retransmission "
        "repeats old numbers).",
        "zh": "序列号就是 SND.NXT，本方尚未用过的第一个编号：初始序列号，加上 SYN 占的 1，"
        "加上发出的每个数据字节，再加上 FIN 占的 1（重传则重复旧的编号）。",
    },
    "m_forgot_one": {
        "en": "One short: a {what} takes one sequence number, so the ACK is one past it.",
        "zh": "少了 1：{what} 占用一个序列号，所以确认号要比它多 1。",
    },
    "m_ack_forgot_control": {
        "en": "seq + len counts the {len} bytes but not the {what}: a {what} takes one more "
        "sequence number.",
        "zh": "“序列号 + 数据长度”只算了 {len} 字节，没有算 {what}：{what} 还要再占一个序列号。",
    },
    "m_ack_echo": {
        "en": "That is the seq of segment {n} echoed back: ack names the next number expected, "
        "past all {len} bytes of it.",
        "zh": "这是把第 {n} 个报文段的序列号原样照抄：确认号写的是期望的下一个编号，要越过它的"
        "全部 {len} 字节。",
    },
    "m_ack_last_byte": {
        "en": "That is the last byte received: ack names the next byte expected, one past it.",
        "zh": "这是收到的最后一个字节：确认号写的是期望的下一个字节，还要再加 1。",
    },
    "m_ack_one_long": {
        "en": "One too many: a {what} takes exactly one sequence number.",
        "zh": "多了 1：{what} 只占用一个序列号。",
    },
    "m_ack_pure_ack": {
        "en": "A pure ACK takes no sequence number: segment {n} does not move the ack.",
        "zh": "纯 ACK 不占用序列号：第 {n} 个报文段不会让确认号前进。",
    },
    "m_ack_copies": {
        "en": "Segment {n} was sent {k} times, but the copies carry the same numbers: they are "
        "acknowledged once.",
        "zh": "第 {n} 个报文段发了 {k} 次，但这些副本的编号相同：只确认一次。",
    },
    "m_ack_lost": {
        "en": "Segment {n} was lost: an ack counts only what has arrived.",
        "zh": "第 {n} 个报文段丢失了：确认号只计已经到达的内容。",
    },
    "m_ack_not_yet": {
        "en": "Segment {n} had not arrived when this segment was sent: an ack counts only what "
        "has arrived.",
        "zh": "发出这个报文段时，第 {n} 个报文段还没有到达：确认号只计已经到达的内容。",
    },
    "m_ack_not_sent": {
        "en": "Segment {n} is sent only later: an ack counts only what has arrived.",
        "zh": "第 {n} 个报文段要晚些才发出：确认号只计已经到达的内容。",
    },
    "m_ack_swapped": {
        "en": "Swapped: ack counts the other side's numbers (from its ISN {sym}); that number "
        "is the sender's own, its seq.",
        "zh": "弄反了：确认号计的是对方的编号（从对方的初始序列号 {sym} 算起）；这个数是发送方"
        "自己的编号，是它的序列号。",
    },
    "m_ack_rule": {
        "en": "ack is RCV.NXT, the next number expected from the other side: its ISN, plus one "
        "for its SYN, plus each data byte received, plus one for its FIN; only what has "
        "arrived counts.",
        "zh": "确认号就是 RCV.NXT，期望从对方收到的下一个编号：对方的初始序列号，加上其 SYN 占的 "
        "1，加上收到的每个数据字节，再加上其 FIN 占的 1；只计已经到达的内容。",
    },
    # ---------------------------------------------------------------- flags
    "m_flags_missing": {"en": "Missing: {flags}.", "zh": "缺少：{flags}。"},
    "m_flags_extra": {"en": "Should not be set: {flags}.", "zh": "不应置位：{flags}。"},
    "m_no_ack_flag_on_syn": {
        "en": "A SYN sent before anything arrived has no ACK: there is nothing to acknowledge yet.",
        "zh": "在收到任何东西之前发出的 SYN 不带 ACK：此时还没有可以确认的东西。",
    },
    "m_ack_always": {
        "en": "Once both ISNs are known every segment carries ACK (RFC 9293 3.10.7.4): after "
        "the handshake the ACK flag is always on.",
        "zh": "双方的初始序列号都已知后，每个报文段都带 ACK（RFC 9293 3.10.7.4）："
        "握手之后 ACK 标志始终置位。",
    },
    "m_rst_refused_ack": {
        "en": "A RST answering a SYN carries ACK: it acknowledges that SYN, so the connecting "
        "side knows which attempt is refused (RFC 9293 3.10.7.1). There was no handshake: "
        "this is not the after-the-handshake rule.",
        "zh": "回应 SYN 的 RST 带 ACK：它确认那个 SYN，让发起连接的一方知道被拒绝的是哪一次尝试"
        "（RFC 9293 3.10.7.1）。这里并没有握手，与“握手之后都带 ACK”无关。",
    },
    "m_rst_abort_ack": {
        "en": "Linux sets ACK on the RST of an abort, with the ack it would send anyway "
        "(RFC 9293 allows a bare RST).",
        "zh": "Linux 中止连接时发出的 RST 带 ACK，确认号就是它本来要发的那个"
        "（RFC 9293 允许只发 RST）。",
    },
    "m_synack_needs_ack": {
        "en": "The answer to a SYN also acknowledges it: the ACK tells the other side that its "
        "ISN arrived.",
        "zh": "对 SYN 的应答同时要确认它：ACK 告诉对方，它的初始序列号已经到达。",
    },
    "m_rst_bare": {
        "en": "A RST answering a segment that carried an ACK takes its seq from that ack and "
        "needs no ACK of its own (RFC 9293 3.10.7.1).",
        "zh": "回应一个带 ACK 的报文段时，RST 以那个确认号作为自己的序列号，本身不需要 ACK"
        "（RFC 9293 3.10.7.1）。",
    },
    "m_syn_again": {
        "en": "SYN is only for opening: this side sent its SYN in segment {n}, and once it is "
        "acknowledged no segment carries SYN again.",
        "zh": "SYN 只用于建立连接：本方在第 {n} 个报文段已经发过 SYN，它被确认之后，"
        "任何报文段都不再带 SYN。",
    },
    "m_refused_no_syn": {
        "en": "Nothing listens on that port: there is no connection to open, so no SYN and no "
        "ISN; the answer is a RST.",
        "zh": "该端口上没有进程在监听：没有连接可以建立，所以没有 SYN，也没有初始序列号；"
        "应答是 RST。",
    },
    "m_syn_missing": {
        "en": "This segment carries a SYN: its sender's ISN still has to reach the other side "
        "and be acknowledged.",
        "zh": "这个报文段带 SYN：发送方的初始序列号还需要送达对方并被确认。",
    },
    "m_fin_for_rst_abort": {
        "en": "FIN closes in order: queued data still goes out, the FIN is acknowledged, and "
        "the closing states follow. An abort throws the connection away at once: RST.",
        "zh": "FIN 是有序关闭：排队的数据照样发出，FIN 会被确认，之后经过各个关闭状态。"
        "中止则立即丢弃连接：用 RST。",
    },
    "m_fin_for_rst_refused": {
        "en": "FIN closes a connection that exists; nothing listens here, so there is none: "
        "a refusal is a RST.",
        "zh": "FIN 用来关闭一个已经存在的连接；这里没有人监听，连接根本不存在：拒绝用的是 RST。",
    },
    "m_rst_for_fin": {
        "en": "RST aborts: the other side drops the connection at once and data in flight is "
        "lost. A close() ends the stream in order, with FIN.",
        "zh": "RST 是中止：对方立即丢弃连接，途中的数据也会丢失。调用 close() 则是用 FIN "
        "有序地结束数据流。",
    },
    "m_fin_own_later": {
        "en": "TCP acknowledges a FIN by itself; this side's own FIN waits until its "
        "application calls close().",
        "zh": "TCP 自己就会确认收到的 FIN；本方自己的 FIN 要等应用调用 close() 才发。",
    },
    "m_fin_too_early": {
        "en": "A FIN is sent only when this side's application closes; nothing has closed it yet.",
        "zh": "只有本方应用关闭时才发送 FIN；此时还没有什么让它关闭。",
    },
    "m_fin_missing": {
        "en": "This side's application has closed: the segment carries its FIN.",
        "zh": "本方应用已经关闭：这个报文段带着它的 FIN。",
    },
    "m_fin_resent": {
        "en": "A retransmission repeats segment {n}, FIN included.",
        "zh": "重传会把第 {n} 个报文段原样再发一次，包括其中的 FIN。",
    },
    "m_rst_extra": {
        "en": "Nothing has gone wrong here: a RST would abort the connection.",
        "zh": "这里没有出任何问题：RST 会中止连接。",
    },
    # ---------------------------------------------------------------- len
    "m_len_counts_control": {
        "en": "len counts data bytes only: the {what} takes a sequence number but carries no "
        "byte (RFC 9293's SEG.LEN would count it; this field does not).",
        "zh": "数据长度只计数据字节：{what} 占用一个序列号，但不携带字节（RFC 9293 的 SEG.LEN "
        "会把它算进去；这个字段不算）。",
    },
    "m_len_of_acked": {
        "en": "That is the length of segment {n}, which this one acknowledges: an ACK does not "
        "carry the data back.",
        "zh": "这是被确认的第 {n} 个报文段的长度：ACK 并不会把数据再带回去。",
    },
    "m_len_data_missing": {
        "en": "This segment carries the application's bytes: len counts them.",
        "zh": "这个报文段携带了应用的数据：数据长度要把它们算上。",
    },
    "m_len_rule": {
        "en": "len is the number of data bytes this segment carries (what the application "
        "wrote; 0 for none); SYN and FIN are not counted.",
        "zh": "数据长度是这个报文段携带的数据字节数（应用写入的字节，没有则为 0）；"
        "SYN 和 FIN 不计入。",
    },
    # ---------------------------------------------------------------- states
    "m_state_misspelt": {
        "en": '"{given}" is not how the state is written: RFC 9293 spells it {state} '
        "(some articles write {given}).",
        "zh": "“{given}”不是这个状态的写法：RFC 9293 写作 {state}（有些文章写成“{given}”）。",
    },
    "m_state_unknown": {
        "en": '"{given}" is not a state name; the states are {names}.',
        "zh": "“{given}”不是状态名；状态有：{names}。",
    },
    "m_state_ahead_established": {
        "en": "Not yet: {peer} is ESTABLISHED only once the ACK of its own SYN arrives, and its "
        "SYN has not been acknowledged.",
        "zh": "还没有：只有收到对自己 SYN 的确认后，{peer}才进入 ESTABLISHED，而它的 SYN "
        "还没有被确认。",
    },
    "m_state_ahead_closed": {
        "en": "Not yet: after the last ACK the side that closed first stays in TIME_WAIT for "
        "2MSL, in case that ACK is lost.",
        "zh": "还没有：发出最后一个 ACK 后，先关闭的一方要在 TIME_WAIT 中停留 2MSL，"
        "以防这个 ACK 丢失。",
    },
    "m_state_ahead_fin_wait_2": {
        "en": "Not yet: FIN_WAIT_2 comes only when the ACK of {peer}'s own FIN arrives, and it "
        "has not.",
        "zh": "还没有：只有收到对自己 FIN 的确认后，{peer}才进入 FIN_WAIT_2，而这个确认还没有到。",
    },
    "m_state_ahead": {
        "en": "{given} comes later: {peer} gets there when {event}, which has not happened yet.",
        "zh": "{given} 还在后面：{peer}要等到{event}才会进入它，而这还没有发生。",
    },
    "m_state_behind": {
        "en": "{peer} leaves {before} at this step. From {before} the state table leads to: "
        "{exits}.",
        "zh": "{peer}在这一步离开 {before}。按状态表，从 {before} 可以进入：{exits}。",
    },
    "m_state_stays": {
        "en": "Nothing at this step is an event for {peer} in {before}: it stays there. "
        "{given} would need: {event}.",
        "zh": "这一步没有任何事件作用于处于 {before} 的{peer}：它保持不变。要进入 {given}，"
        "需要：{event}。",
    },
    "m_state_lost": {
        "en": "Segment {n} is lost: {peer} never sees it, so nothing changes there.",
        "zh": "第 {n} 个报文段丢失了：{peer}根本没有收到它，所以状态不变。",
    },
    "m_state_fin_wait_passive": {
        "en": "FIN_WAIT_1 and FIN_WAIT_2 belong to the side that sent the first FIN; {peer} "
        "received the other side's FIN before it closed.",
        "zh": "FIN_WAIT_1 和 FIN_WAIT_2 属于先发出 FIN 的一方；{peer}是在自己关闭之前"
        "先收到对方 FIN 的一方。",
    },
    "m_state_close_wait_active": {
        "en": "CLOSE_WAIT belongs to the side that received a FIN before it closed; {peer} "
        "sent its own FIN first.",
        "zh": "CLOSE_WAIT 属于在自己关闭之前就收到 FIN 的一方；{peer}先发出了自己的 FIN。",
    },
    "m_state_time_wait_second": {
        "en": "TIME_WAIT belongs to the side that closed first (sent the first FIN), client or "
        "server; {peer} closed second, so it never waits 2MSL.",
        "zh": "TIME_WAIT 属于先关闭（先发出 FIN）的一方，不论它是客户端还是服务器；"
        "{peer}是后关闭的，所以不用等待 2MSL。",
    },
    "m_state_last_ack_first": {
        "en": "LAST_ACK belongs to the side that closed second (it received a FIN, then sent "
        "its own); {peer} sent the first FIN.",
        "zh": "LAST_ACK 属于后关闭的一方（先收到 FIN，再发出自己的 FIN）；{peer}发出的是"
        "第一个 FIN。",
    },
    "m_state_other_peer": {
        "en": "That is {other}'s state at this point, not {peer}'s: which of the two sent this "
        "segment, and which received it?",
        "zh": "这是此时{other}的状态，而不是{peer}的：这个报文段是谁发出的，又是谁收到的？",
    },
    "m_state_unreachable": {
        "en": "{peer} cannot go from {before} to {given} here: from {before} the state table "
        "leads only to {exits}.",
        "zh": "{peer}在这里不能从 {before} 进入 {given}：按状态表，从 {before} 只能进入：{exits}。",
    },
    "m_state_rule": {
        "en": "From {before}, {peer} moves only on the events of its rows in the state table: "
        "{exits}. Which one happens at this step?",
        "zh": "{peer}从 {before} 出发，只会因状态表中的这些事件而改变：{exits}。"
        "这一步发生的是哪一个？",
    },
    "m_state_rule_end": {
        "en": "{peer} was in {before} after the last segment; only a timer can move it now: "
        "{exits}.",
        "zh": "最后一个报文段之后{peer}处于 {before}；现在只有定时器能改变它：{exits}。",
    },
    "m_undecided": {
        "en": "The capture cannot tell whether the FIN of segment {n} was lost or only its ACK: "
        "{peer} is in {want} if the FIN was lost, in {alt} if it arrived and its ACK was lost. "
        "Both answers count.",
        "zh": "抓包无法判断第 {n} 个报文段的 FIN 是丢了，还是只丢了对它的确认：如果 FIN 丢了，"
        "{peer}处于 {want}；如果 FIN 到达而确认丢了，{peer}处于 {alt}。两种回答都算对。",
    },
    # ---------------------------------------------------------------- tui-tutor lessons grade
    "cli_expected": {"en": "(expected {v})", "zh": "（应为 {v}）"},
    "cli_right": {"en": "Right.", "zh": "正确。"},
    "cli_wrong": {"en": "Not right yet.", "zh": "还不对。"},
    # ---------------------------------------------------------------- choices
    "m_choice_more": {
        "en": "More than one answer is right here: pick every right one.",
        "zh": "这里不止一个正确答案：请把正确的都选上。",
    },
    "m_choice_hint": {
        "en": "Not option {n}. Hint: {hint}",
        "zh": "不是第 {n} 项。提示：{hint}",
    },
    "m_choice_none": {"en": "Pick an answer first.", "zh": "请先选择一个答案。"},
}


def phrase(key: str, lang: str, **values: object) -> str:
    template = PHRASES[key][_lang(lang)]
    text = template.format(**values)
    if template.startswith("{") and text[:1].islower():  # "{peer} ..." opens a sentence
        text = text[0].upper() + text[1:]
    if lang == "zh":
        text = text.replace("） ", "）")  # "TIME_WAIT（时间等待） 进入": no space after the name
    return text


def missing_translations() -> list[str]:
    """Transition keys, rules, states, events and Whys without both languages."""
    missing = [t.key for t in TRANSITION_LIST if t.key not in TRANSITION_ZH]
    missing += [t.rule for t in TRANSITION_LIST if t.rule not in RULE_ZH]
    missing += [w.name for w in Why if w not in WHY]
    missing += [s.name for s in State if s not in STATE_ZH]
    missing += [e.name for e in Event if e not in EVENT_TEXT or e not in EVENT_ZH]
    missing += [k for k, v in PHRASES.items() if set(v) != {"en", "zh"}]
    whens = {t.when for t in TRANSITION_LIST if t.when}
    missing += sorted(w for w in whens if w not in PHRASES or w not in WHEN_ZH)
    return missing
