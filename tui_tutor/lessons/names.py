"""What the state machine's states and edges are called, in English and Simplified Chinese.

States keep their RFC spelling everywhere (it is what ``netstat`` and ``ss`` print);
in Chinese the textbook name goes beside it (谢希仁《计算机网络》: 同步已发送, 已建立连接 ...).
An edge is labelled as RFC 9293 figure 5 does, ``event / snd what``, from the engine's
transition table: this module only words it. The app's panes and diagram, the
grader and the lessons all read names from here, so each is said one way.
"""

from __future__ import annotations

from ..engine import Event, State, TimerKind, Transition

STATE_ZH: dict[State, str] = {
    State.CLOSED: "关闭",
    State.LISTEN: "收听",
    State.SYN_SENT: "同步已发送",
    State.SYN_RECEIVED: "同步收到",
    State.ESTABLISHED: "已建立连接",
    State.FIN_WAIT_1: "终止等待1",
    State.FIN_WAIT_2: "终止等待2",
    State.CLOSE_WAIT: "关闭等待",
    State.CLOSING: "正在关闭",
    State.LAST_ACK: "最后确认",
    State.TIME_WAIT: "时间等待",
}

# English is the engine's own label (Event.value); Chinese says the same.
EVENT_ZH: dict[Event, str] = {
    Event.LISTEN: "被动打开",
    Event.CONNECT: "主动打开",
    Event.SEND: "写入数据",
    Event.CLOSE: "关闭",
    Event.ABORT: "中止",
    Event.RCV_SYN: "收到 SYN",
    Event.RCV_SYN_ACK: "收到 SYN,ACK",
    Event.RCV_ACK_OF_SYN: "收到对 SYN 的确认",
    Event.RCV_FIN: "收到 FIN",
    Event.RCV_ACK_OF_FIN: "收到对 FIN 的确认",
    Event.RCV_FIN_ACK: "收到 FIN + 对 FIN 的确认",
    Event.RCV_RST: "收到 RST",
    Event.TIMEOUT_2MSL: "2MSL 超时",
    Event.GIVE_UP: "重传次数用尽",
    Event.READ: "读取数据",
    Event.RCV_DATA: "收到数据",
    Event.TIMEOUT_FIN_WAIT_2: "FIN_WAIT_2 超时",
    Event.KEEPALIVE_TIMEOUT: "保活探测无应答",
    Event.CRASH: "主机重启",
}

# a transition's ``when``: which of two rows for the same (state, event) applies
WHEN_ZH = {
    "passive open": "被动打开时",
    "active open": "主动打开时",
    "unread data": "有未读数据",
    "after close": "应用已关闭",
    "SYN cookie": "SYN cookie",
    "new connection": "新连接",
}

TIMER_ZH: dict[TimerKind, str] = {
    TimerKind.RETRANSMISSION: "重传（RTO）",
    TimerKind.TIME_WAIT: "2MSL",
    TimerKind.DELAYED_ACK: "延迟确认",
    TimerKind.FIN_WAIT_2: "FIN_WAIT_2",
    TimerKind.KEEPALIVE: "保活",
}

SEND_WORD = {"en": "snd", "zh": "发送"}
DATA_WORD = {"en": "data", "zh": "数据"}


def state_zh(state: State) -> str:
    """The textbook Chinese name: ``同步已发送`` for SYN_SENT."""
    return STATE_ZH[state]


def state_name(state: State, lang: str) -> str:
    """``SYN_SENT`` in English, ``SYN_SENT 同步已发送`` in Chinese."""
    return f"{state.value} {STATE_ZH[state]}" if lang == "zh" else state.value


def timer_name(kind: TimerKind, lang: str) -> str:
    """A timer as the trace names it (``keepalive``): ``保活`` in Chinese."""
    return TIMER_ZH[kind] if lang == "zh" else kind.value


def event_label(event: Event, lang: str) -> str:
    """``rcv SYN`` / ``收到 SYN``."""
    return EVENT_ZH[event] if lang == "zh" else event.value


def sends(transition: Transition, lang: str) -> str:
    """What goes on the wire: ``snd SYN,ACK`` / ``发送 SYN,ACK``; "" for nothing."""
    if not transition.send:
        return ""
    what = DATA_WORD[_lang(lang)] if transition.send == "data" else transition.send
    space = "" if lang == "zh" and transition.send == "data" else " "
    return f"{SEND_WORD[_lang(lang)]}{space}{what}"


def transition_label(transition: Transition, lang: str, when: bool = True) -> str:
    """The edge label: ``rcv SYN / snd SYN,ACK`` / ``收到 SYN / 发送 SYN,ACK``.

    ``when`` adds the condition that picks between two rows (``rcv RST (passive open)``).
    """
    label = event_label(transition.event, lang)
    if when and transition.when:
        cond = WHEN_ZH[transition.when] if lang == "zh" else transition.when
        label += f"（{cond}）" if lang == "zh" else f" ({cond})"
    send = sends(transition, lang)
    return f"{label} / {send}" if send else label


# a pane short of room words an edge tighter (its full label is in the diagram, d)
EVENT_SHORT: dict[str, dict[Event, str]] = {
    "en": {
        Event.RCV_FIN_ACK: "rcv FIN+ACK",
        Event.GIVE_UP: "give up",
        Event.KEEPALIVE_TIMEOUT: "keepalive fails",
        Event.TIMEOUT_FIN_WAIT_2: "FIN_WAIT_2 timer",
    },
    "zh": {
        Event.SEND: "写入",
        Event.READ: "读取",
        Event.RCV_SYN: "收SYN",
        Event.RCV_SYN_ACK: "收SYN,ACK",
        Event.RCV_ACK_OF_SYN: "SYN被确认",
        Event.RCV_FIN: "收FIN",
        Event.RCV_ACK_OF_FIN: "FIN被确认",
        Event.RCV_FIN_ACK: "收FIN+ACK",
        Event.RCV_RST: "收RST",
        Event.RCV_DATA: "收数据",
        Event.GIVE_UP: "重传用尽",
        Event.KEEPALIVE_TIMEOUT: "保活无应答",
    },
}
WHEN_SHORT: dict[str, dict[str, str]] = {
    "en": {
        "passive open": "passive",
        "active open": "active",
        "unread data": "unread",
        "after close": "closed",
        "SYN cookie": "cookie",
        "new connection": "new",
    },
    "zh": {
        "passive open": "被动",
        "active open": "主动",
        "unread data": "未读",
        "after close": "已关闭",
        "SYN cookie": "cookie",
        "new connection": "新连接",
    },
}


def short_transition_label(transition: Transition, lang: str, when: bool = True) -> str:
    """The edge label in as few cells as it can say it: ``rcv SYN/SYN,ACK``, ``收SYN/SYN,ACK``,
    ``rcv RST (passive)``: for a pane too small for ``transition_label``. ``when=False``
    leaves out the condition (where the next state tells the two rows apart)."""
    lang = _lang(lang)
    label = EVENT_SHORT[lang].get(transition.event) or event_label(transition.event, lang)
    if when and transition.when:
        cond = WHEN_SHORT[lang][transition.when]
        label += f"({cond})" if lang == "zh" else f" ({cond})"
    if transition.send:
        label += "/" + (DATA_WORD[lang] if transition.send == "data" else transition.send)
    return label


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"
