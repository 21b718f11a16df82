"""Live mode's words, in English and Simplified Chinese, for the command and the app.

``NOTES``: what a run could not do and why (``KernelRun.limits``, ``StepPlayed.notes``).
``LIMITS``: live mode's own reasons for a difference, beside ``engine.linux``'s.
``difference``: one sentence naming a ``compare.Difference``.
"""

from __future__ import annotations

from ..engine import Role
from ..engine.linux import KNOWN
from .compare import Difference

NOTES: dict[str, tuple[str, str]] = {
    "no_capture_rights": (
        "segments are not captured: that needs root (or CAP_NET_RAW); the states below are "
        "your kernel's all the same, read after every step",
        "没有抓取报文段：这需要 root（或 CAP_NET_RAW）权限；下面的状态仍然来自你的内核，"
        "每一步之后读取",
    ),
    "no_control_rights": (
        "segments cannot be lost or held here: that needs root (or CAP_NET_ADMIN)",
        "这里不能丢弃或扣留报文段：这需要 root（或 CAP_NET_ADMIN）权限",
    ),
    "no_iptables": (
        "segments cannot be lost or held here: iptables is not installed",
        "这里不能丢弃或扣留报文段：没有安装 iptables",
    ),
    "no_capture": ("no capture on lo: {detail}", "无法在 lo 上抓包：{detail}"),
    "no_queue": (
        "segments are delivered by the kernel itself, not one by one: {detail}",
        "报文段由内核自己投递，不能逐个投递：{detail}",
    ),
    "hold_not_reproduced": (
        "its segments could not be kept in flight (that needs root): played without",
        "无法让它的报文段停留在线路上（需要 root 权限）：按不扣留的方式执行",
    ),
    "lose_not_reproduced": (
        "not reproduced: losing segments needs root (or CAP_NET_ADMIN) and iptables",
        "未能重现：丢弃报文段需要 root（或 CAP_NET_ADMIN）权限和 iptables",
    ),
    "unknown_step": (
        "not reproduced: live mode cannot play a {detail} step yet",
        "未能重现：实机模式还不能执行 {detail} 步骤",
    ),
    "no_connection": (
        "not reproduced: there is no connection to {detail}",
        "未能重现：没有可以 {detail} 的连接",
    ),
    "call_failed": ("the call failed: {detail}", "调用失败：{detail}"),
}

LIMITS: dict[str, tuple[str, str]] = {
    "not-reproduced": (
        "after a step live mode could not play as written",
        "发生在实机模式无法按原样执行的步骤之后",
    ),
    "wait-cut": (
        "the engine got there later than live mode waited: long waits are cut short to what "
        "the engine needs to see (TIME_WAIT's 60 s end aside)",
        "引擎到达那里的时间晚于实机模式等待的时间：长时间的等待被缩短到引擎需要看到的程度"
        "（不等 TIME_WAIT 的 60 秒结束）",
    ),
}

MODES: dict[str, tuple[str, str]] = {
    "wire": (
        "segments captured on lo; each delivered by live mode, both kernel states read after it",
        "在 lo 上抓取报文段；每个报文段由实机模式投递，投递后读取双方的内核状态",
    ),
    "capture": (
        "segments captured on lo; the kernel's states read after every step",
        "在 lo 上抓取报文段；每一步之后读取内核状态",
    ),
    "states": (
        "no segments; the kernel's states read after every step",
        "没有报文段；每一步之后读取内核状态",
    ),
}

_KINDS: dict[str, tuple[str, str]] = {
    "only_engine": ("only the engine sent {engine}", "只有引擎发送了 {engine}"),
    "only_kernel": ("only the kernel sent {kernel}", "只有内核发送了 {kernel}"),
    "field": (
        "segment {segment}: {field} is {engine} in the engine, {kernel} in the kernel",
        "报文段 {segment}：{field} 在引擎中为 {engine}，在内核中为 {kernel}",
    ),
    "state": (
        "after step {step}, the {peer} is in {engine} in the engine, in {kernel} in the kernel",
        "第 {step} 步之后，{peer}在引擎中处于 {engine}，在内核中处于 {kernel}",
    ),
    "state_reached": (
        "the kernel's {peer} went through {kernel}, the engine's never did",
        "内核的{peer}经过了 {kernel}，引擎的从未经过",
    ),
    "state_missed": (
        "the engine's {peer} went through {engine}, the kernel's never did",
        "引擎的{peer}经过了 {engine}，内核的从未经过",
    ),
    "isn": (
        "the scenario fixes the ISNs ({engine}); the kernel chose its own",
        "场景固定了初始序列号（{engine}）；内核选择了自己的",
    ),
}
_TIMING: dict[str, tuple[str, str]] = {
    "rto": (
        "segment {segment}: resent after {kernel} by the kernel, after {engine} by the engine",
        "报文段 {segment}：内核在 {kernel} 后重传，引擎在 {engine} 后重传",
    ),
    "delayed_ack": (
        "segment {segment}: the kernel sent this ACK {kernel} after what it acknowledges, "
        "the engine {engine}",
        "报文段 {segment}：内核在收到被确认的报文段 {kernel} 后才发送这个 ACK，引擎为 {engine}",
    ),
    "answer": (
        "segment {segment}: the kernel answered after {kernel}, the engine after {engine}",
        "报文段 {segment}：内核在 {kernel} 后应答，引擎在 {engine} 后",
    ),
}
_PEERS = {Role.CLIENT: ("client", "客户端"), Role.SERVER: ("server", "服务器")}


def say(table: dict[str, tuple[str, str]], key: str, lang: str, **values: object) -> str:
    en, zh = table[key]
    return (zh if lang == "zh" else en).format(**values)


def note(item: tuple[str, str], lang: str) -> str:
    key, detail = item
    return say(NOTES, key, lang, detail=detail)


def difference(d: Difference, lang: str = "en") -> str:
    table = _TIMING if d.kind == "timing" else _KINDS
    key = d.field or "answer" if d.kind == "timing" else d.kind
    peer = _PEERS[d.peer][lang == "zh"] if d.peer else ""
    number = d.segment or d.kernel_segment
    return say(
        table,
        key,
        lang,
        engine=d.engine,
        kernel=d.kernel,
        segment=number,
        field=d.field,
        peer=peer,
        step=(d.step or 0) + 1,
    )


def known(d: Difference, lang: str = "en") -> str:
    """Why a known difference is there, or "" for one nobody explained."""
    if d.known is None:
        return ""
    if d.known in LIMITS:
        return say(LIMITS, d.known, lang)
    entry = KNOWN[d.known]
    return entry.zh if lang == "zh" else entry.en
