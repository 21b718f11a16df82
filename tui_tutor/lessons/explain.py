"""The engine's reasons, said in English and Simplified Chinese.

The engine says *why* in English only (a transition's ``reason``, a segment's
``Why``); this module gives every one of them in both languages, together with
the sentences the grader builds around seq and ack. A test checks that every
transition and every ``Why`` has both.
"""

from __future__ import annotations

from ..engine import TRANSITION_LIST, State, Transition, Why

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
        "en": "The third segment of the handshake only acknowledges the SYN,ACK: flag ACK.",
        "zh": "三次握手的第三个报文段只确认 SYN,ACK：标志位只有 ACK。",
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
        "en": "A FIN arrived; TCP acknowledges it at once, even if its own FIN comes later.",
        "zh": "收到了 FIN；TCP 立即确认它，即使自己的 FIN 要晚些才发。",
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
    Why.INJECTED: {
        "en": "Neither application sent this segment: an attacker forged it, guessing the "
        "numbers, or it is an old duplicate. The receiver judges it by its numbers alone.",
        "zh": "这个报文段不是任何一方的应用发出的：它是攻击者猜测序列号伪造的，"
        "或者是一个旧的重复报文段。接收方只能凭序列号来判断它。",
    },
    Why.KEEPALIVE: {
        "en": "A keepalive probe: the connection has been idle for tcp_keepalive_time, so the "
        "peer sends an ACK with seq one below SND.NXT and no data. It is outside the other "
        "end's window, so a live peer must answer with an ACK.",
        "zh": "保活探测报文：连接空闲了 tcp_keepalive_time，于是发送一个不带数据的 ACK，"
        "其 seq 比 SND.NXT 小 1。它落在对方的接收窗口之外，所以对方只要还活着，就必须回一个 ACK。",
    },
    Why.RST_KEEPALIVE: {
        "en": "No keepalive probe was answered (tcp_keepalive_probes of them): the other end is "
        "gone. Linux resets the connection and the application gets ETIMEDOUT.",
        "zh": "所有保活探测（共 tcp_keepalive_probes 个）都没有应答：对方已经不在了。"
        "Linux 复位连接，应用得到 ETIMEDOUT。",
    },
    Why.SYN_COOKIE: {
        "en": "A SYN cookie: the SYN queue is full (or net.ipv4.tcp_syncookies = 2), so the "
        "server answers with a SYN,ACK whose seq encodes the connection (a keyed hash of the "
        "addresses, ports and time, and the MSS) and keeps nothing. Only a valid ACK of it "
        "opens the connection; if this SYN,ACK is lost, the server will not resend it.",
        "zh": "SYN cookie：SYN 队列已满（或 net.ipv4.tcp_syncookies = 2），服务器回应的 SYN,ACK "
        "用序列号编码了这个连接（地址、端口和时间的带密钥哈希，以及 MSS），自己什么也不保存。"
        "只有对它的有效确认才能建立连接；这个 SYN,ACK 如果丢失，服务器不会重传。",
    },
    Why.RST_DATA_AFTER_CLOSE: {
        "en": "Data arrived for an application that has called close(): nobody can read it, so "
        "the answer is a RST whose seq is the ack of that data (RFC 9293 3.6; Linux).",
        "zh": "应用已经调用了 close()，却又收到了数据：没有人能读取它，所以回应 RST，"
        "其 seq 等于那个数据报文段的 ack（RFC 9293 3.6；Linux）。",
    },
}

# Transition reasons in Chinese, by Transition.key; English comes from the engine.
TRANSITION_ZH: dict[str, str] = {
    "CLOSED/listen": "被动打开：等待 SYN",
    "CLOSED/connect": "主动打开：发送 SYN，其序列号是初始序列号",
    "LISTEN/rcv SYN": "收到 SYN：回应自己的 SYN，并确认对方的 seq+1",
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
    "其中的 SYN 我方已经收到过，所以再确认一次（Linux 的做法；RFC 9293 图 8 没有画出这个 ACK）",
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
    "ESTABLISHED/rcv FIN": "对方已经发送完毕：确认它的 FIN（seq+1）",
    "FIN_WAIT_1/rcv ACK of FIN": "我方 FIN 已被确认；等待对方的 FIN",
    "FIN_WAIT_1/rcv FIN": "同时关闭：对方的 FIN 在我方 FIN 的确认之前到达",
    "FIN_WAIT_1/rcv FIN + ACK of FIN": "对方的 FIN 同时确认了我方的 FIN：确认它并等待 2MSL",
    "FIN_WAIT_2/rcv FIN": "对方的 FIN 到达：确认它，并等待 2MSL 后再丢弃连接",
    "CLOSE_WAIT/close": "被动关闭：我方也发送完毕；发送 FIN",
    "CLOSING/rcv ACK of FIN": "我方 FIN 已被确认：等待 2MSL",
    "LAST_ACK/rcv ACK of FIN": "我方 FIN 已被确认：连接彻底关闭",
    "TIME_WAIT/rcv FIN": "又收到对方的 FIN：我方最后的 ACK 丢失了；再次确认并重新开始 2MSL 计时",
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
    "（net.ipv4.tcp_synack_retries）：悄悄丢弃这个半开连接；监听套接字仍在（Linux）",
    "LISTEN/rcv ACK of SYN (SYN cookie)": "收到的 ACK 带回了有效的 SYN cookie："
    "根据其中的序列号重建连接，直接进入 ESTABLISHED（从未保存过 SYN_RECEIVED）",
    "TIME_WAIT/rcv SYN (new connection)": "同一端口发来新的 SYN，"
    "其序列号高于旧连接用过的所有序列号：新连接取代 TIME_WAIT"
    "（Linux，且有套接字在监听；它的初始序列号取旧的 SND.NXT + 65537）",
    "SYN_RECEIVED/close (passive open)": "监听套接字被关闭：半开连接随之悄悄消失"
    "（Linux；应用还没有拿到这个连接的套接字）",
    "FIN_WAIT_2/FIN_WAIT_2 timeout": "应用已经关闭，在 net.ipv4.tcp_fin_timeout（60 秒）内"
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


def transition_reason(t: Transition, lang: str) -> str:
    return TRANSITION_ZH[t.key] if lang == "zh" else t.reason


def why(reason: Why, lang: str) -> str:
    return WHY[reason]["zh" if lang == "zh" else "en"]


# Sentences the grader fills in. {v}: the value as shown; {n}: a segment number.
PHRASES: dict[str, dict[str, str]] = {
    "seq_isn": {
        "en": "seq = {v}: a SYN carries the sender's initial sequence number (ISN).",
        "zh": "seq = {v}：SYN 携带发送方自己的初始序列号（ISN）。",
    },
    "seq_next": {
        "en": "seq = {v} = SND.NXT: the first number this side has not used yet ({used}).",
        "zh": "seq = {v} = SND.NXT：本方尚未使用的第一个序列号（{used}）。",
    },
    "seq_same": {
        "en": "seq = {v}: a retransmission repeats the numbers of segment {n}.",
        "zh": "seq = {v}：重传使用与第 {n} 个报文段相同的序列号。",
    },
    "seq_zero": {
        "en": "seq = 0: the refusing side has no connection and no ISN; its RST acknowledges the "
        "SYN instead (RFC 9293 3.10.7.1).",
        "zh": "seq = 0：拒绝方没有连接，也没有初始序列号；它的 RST 改为确认那个 SYN"
        "（RFC 9293 3.10.7.1）。",
    },
    "seq_of_ack": {
        "en": "seq = {v}: a RST answering a bad ACK takes the ACK's number as its seq.",
        "zh": "seq = {v}：回应错误 ACK 的 RST 以该 ACK 的确认号作为自己的 seq。",
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
        "zh": "没有 ACK 标志，所以没有确认号：ack 留空。",
    },
    "ack_next": {
        "en": "ack = {v} = RCV.NXT: the next number expected from the other side ({what}).",
        "zh": "ack = {v} = RCV.NXT：期望从对方收到的下一个序列号（{what}）。",
    },
    "ack_of_syn": {"en": "its SYN took one number", "zh": "对方的 SYN 占用一个序列号"},
    "ack_of_fin": {"en": "its FIN took one number", "zh": "对方的 FIN 占用一个序列号"},
    "ack_of_data": {"en": "seq + {len} bytes of data", "zh": "seq 加上 {len} 字节数据"},
    "ack_same": {"en": "nothing new arrived", "zh": "没有收到新的序列号"},
    "len_is": {
        "en": "len = {v}: {what}",
        "zh": "len = {v}：{what}",
    },
    "len_data": {"en": "the bytes the application wrote", "zh": "应用写入的字节数"},
    "len_none": {
        "en": "control segments carry no data (SYN and FIN take a sequence number, not a byte)",
        "zh": "控制报文段不携带数据（SYN 和 FIN 占一个序列号，但不是一个字节）",
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
    # common mistakes the grader recognises without the author writing them down
    "m_forgot_one": {
        "en": "One short: a {what} takes one sequence number, so the ACK is one past it.",
        "zh": "少了 1：{what} 占用一个序列号，所以确认号要比它多 1。",
    },
    "m_forgot_len": {
        "en": "The ACK acknowledges all {len} bytes: seq + len, not seq.",
        "zh": "确认号要确认全部 {len} 字节：是 seq + len，而不是 seq。",
    },
    "m_swapped": {
        "en": "Swapped: seq counts the sender's own numbers, ack the other side's.",
        "zh": "弄反了：seq 计的是发送方自己的序列号，ack 计的是对方的序列号。",
    },
    "m_wrong_isn": {
        "en": "Wrong side: {field} counts from the {whose} ISN ({sym}).",
        "zh": "弄错了一方：{field} 从{whose}的初始序列号（{sym}）算起。",
    },
    "m_ack_without_flag": {
        "en": "This segment has no ACK flag: its ack field means nothing.",
        "zh": "这个报文段没有 ACK 标志：它的 ack 字段没有意义。",
    },
    "m_ack_missing": {
        "en": "ACK is set, so the segment carries an acknowledgment number.",
        "zh": "ACK 标志已置位，所以报文段带有确认号。",
    },
    "m_seq_missing": {
        "en": "Every segment has a sequence number: type it (a number, or x+1, y+1 ...).",
        "zh": "每个报文段都有序列号：请填写（数字，或 x+1、y+1……）。",
    },
    "m_flags_missing": {"en": "Missing: {flags}.", "zh": "缺少：{flags}。"},
    "m_flags_extra": {"en": "Not set: {flags}.", "zh": "没有置位：{flags}。"},
    "m_no_ack_flag_on_syn": {
        "en": "A first SYN has no ACK: there is nothing to acknowledge yet.",
        "zh": "第一个 SYN 不带 ACK：此时还没有可以确认的东西。",
    },
    "m_ack_always": {
        "en": "After the handshake every segment carries ACK.",
        "zh": "握手之后的每个报文段都带 ACK。",
    },
    "sender": {"en": "sender's", "zh": "发送方"},
    "receiver": {"en": "receiver's", "zh": "接收方"},
}


def phrase(key: str, lang: str, **values: object) -> str:
    return PHRASES[key]["zh" if lang == "zh" else "en"].format(**values)


def missing_translations() -> list[str]:
    """Transition keys and Whys without both languages (a test keeps this empty)."""
    missing = [t.key for t in TRANSITION_LIST if t.key not in TRANSITION_ZH]
    missing += [w.name for w in Why if w not in WHY]
    return missing
