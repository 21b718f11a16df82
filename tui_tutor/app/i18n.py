"""The app's own words in English and Simplified Chinese. State names stay in English."""

from __future__ import annotations

from ..progress import REASONS

STRINGS: dict[str, tuple[str, str]] = {
    # keys line and help
    "key_next": ("next", "下一步"),
    "key_back": ("back", "上一步"),
    "key_hint": ("hint", "提示"),
    "key_check": ("check", "检查"),
    "key_reveal": ("reveal", "揭晓"),
    "key_restart": ("restart", "重新开始"),
    "key_numbers": ("seq abs/rel", "序列号 绝对/相对"),
    "key_lang": ("中文", "English"),
    "key_help": ("help", "帮助"),
    "key_lessons": ("lessons", "课程列表"),
    "key_quit": ("quit", "退出"),
    "key_open": ("open", "打开"),
    "help_title": ("Keys", "按键"),
    "help_next": ("n or →: next step", "n 或 →：下一步"),
    "help_back": ("b or ←: back one step (everything restored)", "b 或 ←：后退一步（一切复原）"),
    "help_restart": ("r: restart with new random ISNs", "r：用新的随机初始序列号重新开始"),
    "help_numbers": ("t: relative / absolute sequence numbers", "t：相对 / 绝对序列号"),
    "help_lang": ("l: English / 中文", "l：English / 中文"),
    "help_hint": ("h: hint", "h：提示"),
    "help_check": ("Enter or c: check the answer", "Enter 或 c：检查答案"),
    "help_reveal": (
        "v: reveal the answer (counted apart from solving it)",
        "v：揭晓答案（单独记录，不算答对）",
    ),
    "help_fields": (
        "Tab / Shift+Tab: next / previous field; Space: tick a flag",
        "Tab / Shift+Tab：下一个 / 上一个输入框；空格：勾选标志位",
    ),
    "help_choice": ("1-6: pick an answer of a multiple-choice question", "1-6：选择选择题的答案"),
    "help_help": ("?: this help", "?：本帮助"),
    "help_escape": ("Escape: back to the lessons", "Escape：返回课程列表"),
    "help_quit": ("q: quit", "q：退出"),
    "help_mouse": (
        "The mouse works too: click fields, buttons and lessons.",
        "也可以用鼠标：点击输入框、按钮和课程。",
    ),
    "help_close": ("Press Escape or ? to close.", "按 Escape 或 ? 关闭。"),
    # picker
    "app_title": (
        "tui-tutor: how TCP opens and closes connections",
        "tui-tutor：TCP 如何建立和关闭连接",
    ),
    "level_basic": ("Basics", "基础"),
    "level_intermediate": ("Intermediate", "进阶"),
    "level_advanced": ("Advanced", "高级"),
    "level_review": ("Review", "复习"),
    "level_more": ("More", "更多"),
    "status_not started": ("not started", "未开始"),
    "status_in progress": ("in progress", "进行中"),
    "status_solved": ("solved", "已完成"),
    "status_finished": ("finished", "已学完"),
    "sandbox": ("Sandbox: drive both peers yourself", "沙盒：自己操控双方"),
    "open_capture": ("Open a capture (pcap, pcapng)…", "打开抓包文件（pcap、pcapng）…"),
    "capture_path": ("path to a .pcap or .pcapng file", ".pcap 或 .pcapng 文件的路径"),
    "capture_help": (
        "Type the path and press Enter. Every segment of the connection becomes "
        "a question; Escape goes back.",
        "输入路径后按 Enter。连接中的每个报文段都会变成一道题；按 Escape 返回。",
    ),
    "capture_reading": ("Reading {file}…", "正在读取 {file}…"),
    "capture_pick": (
        "{n} TCP connections in {file}: pick one.",
        "{file} 中有 {n} 个 TCP 连接：请选择一个。",
    ),
    "partial": ("started before the capture", "抓包开始前已建立"),
    "n_segments": ("{n} segments", "{n} 个报文段"),
    "prerequisites": ("Take first", "先学"),
    "score": ("score", "得分"),
    "learner": ("learner", "学员"),
    "lessons_problems": ("Some lesson files have problems:", "部分课程文件有问题："),
    # lesson screen
    "client": ("Client", "客户端"),
    "server": ("Server", "服务器"),
    "segments": ("Segments", "报文段"),
    "the_client": ("the client", "客户端"),
    "the_server": ("the server", "服务器"),
    "question": ("Question", "问题"),
    "step": ("step", "步骤"),
    "relative": ("relative seq", "相对序列号"),
    "absolute": ("absolute seq", "绝对序列号"),
    "symbolic": ("seq as x, y", "序列号用 x、y 表示"),
    "flags": ("flags", "标志位"),
    "after_it": ("after it:", "之后："),
    "client_after": ("client after it", "之后客户端"),
    "server_after": ("server after it", "之后服务器"),
    "check": ("Check", "检查"),
    "hint": ("Hint", "提示"),
    "reveal": ("Reveal", "揭晓"),
    "predict_default": ("Predict the next segment.", "预测下一个报文段。"),
    "predict_state_default": ("Predict the state.", "预测状态。"),
    "answer_first": (
        "Answer first (Enter checks), or reveal the answer with v.",
        "请先作答（按 Enter 检查），或按 v 揭晓答案。",
    ),
    "correct": ("Right!", "正确！"),
    "wrong": (
        "Not quite: try again, h for a hint, v to reveal.",
        "不完全对：再试一次，h 看提示，v 揭晓答案。",
    ),
    "revealed": ("Revealed:", "答案："),
    "press_n": ("Press n to go on.", "按 n 继续。"),
    "answered_before": (
        "Answered before; you may try again (it does not change the score).",
        "之前已作答；可以再试（不影响得分）。",
    ),
    "hint_is": ("Hint:", "提示："),
    "not_it": ("not {given}.", "不是 {given}。"),
    "no_answer": ("(no answer yet)", "（尚未作答）"),
    "lost": ("lost", "丢失"),
    "retransmission": ("retransmission", "重传"),
    "seg_sent": ("{sender} sends {label}", "{sender}发送 {label}"),
    "seg_lost": ("The segment is lost on the wire ✗", "该报文段在传输中丢失 ✗"),
    "caused_by_call": ("{peer}'s application calls {call}", "{peer}的应用调用 {call}"),
    "caused_by_timer": ("{peer}'s {timer} timer runs out", "{peer}的 {timer} 定时器超时"),
    "caused_by_segment": ("answer to segment {n}", "对第 {n} 个报文段的回应"),
    "timer_fired": ("{peer}: {timer} timer fired", "{peer}：{timer} 定时器超时"),
    "timer_2msl": (
        "{peer}: TIME_WAIT for 2MSL = {seconds:g} s",
        "{peer}：TIME_WAIT 等待 2MSL = {seconds:g} 秒",
    ),
    "end_events": ("Time passes: the timers run out.", "时间流逝：定时器超时。"),
    "lesson_end": ("End of the lesson. Press n for your results.", "课程结束。按 n 查看结果。"),
    "pick_one": ("Pick one (1-{n})", "选择一项（1-{n}）"),
    "pick_all": ("Pick every right answer (1-{n})", "选出所有正确答案（1-{n}）"),
    "bad_input": ("Cannot read that:", "无法识别："),
    "unusual": ("Unusual here, not graded:", "此处情况特殊，不评分："),
    # results
    "results": ("Results", "结果"),
    "results_score": ("Score: {score:g} of {total}", "得分：{score:g} / {total}"),
    "results_first": ("right at the first try", "第一次就答对"),
    "results_solved": ("right after trying again or a hint", "再试或看提示后答对"),
    "results_revealed": ("revealed", "揭晓"),
    "results_open": ("not answered", "未作答"),
    "results_keys": (
        "Enter: lessons   r: play again with new ISNs   k: your kernel",
        "Enter：课程列表   r：用新的初始序列号重玩   k：你的内核",
    ),
    # sandbox
    "sandbox_title": ("Sandbox", "沙盒"),
    "sandbox_help": ("Pick the next action; b undoes it.", "选择下一个动作；b 撤销。"),
    "not_possible": ("Not possible: {what}", "无法执行：{what}"),
    "wait_seconds": ("wait", "等待"),
    "lose_next": ("lose next", "丢弃下一个"),
    # live mode: your own kernel
    "key_kernel": ("your kernel", "你的内核"),
    "key_again": ("again", "再来一次"),
    "live_title": ("From your kernel", "来自你的内核"),
    "live_yours": ("kernel", "内核"),
    "key_return": ("back", "返回"),
    "live_segments": ("segments from your kernel", "来自你的内核的报文段"),
    "live_running": (
        "asking your kernel: step {step} of {steps}",
        "正在询问你的内核：第 {step} 步，共 {steps} 步",
    ),
    "live_wait": (
        "Your kernel is playing the scenario with real sockets on 127.0.0.1…",
        "你的内核正在 127.0.0.1 上用真实的套接字执行这个场景……",
    ),
    "live_differences": ("Kernel and engine", "内核与引擎"),
    "live_same": (
        "Your kernel did exactly what the engine says.",
        "你的内核所做的与引擎所说的完全一致。",
    ),
    "live_known": ("known: {why}", "已知：{why}"),
    "live_step": ("step {n} ({step})", "第 {n} 步（{step}）"),
    "live_failed": ("Live mode failed: {reason}", "实机模式失败：{reason}"),
    "live_off": (
        "Live mode is off on this server (the trainer can start it with --allow-live).",
        "此服务器关闭了实机模式（培训者可以用 --allow-live 启动它）。",
    ),
    "live_nothing": (
        "Nothing to play yet: pick an action first.",
        "还没有可以执行的内容：请先选择一个动作。",
    ),
    "live_no_scenario": (
        "Live mode plays lessons and the sandbox, not captures.",
        "实机模式只能执行课程和沙盒，不能执行抓包。",
    ),
    # tiny terminal
    "too_small": (
        "The terminal is {w}x{h}. tui-tutor needs at least 80x24: please enlarge it.",
        "终端大小为 {w}x{h}。tui-tutor 至少需要 80x24：请调大终端窗口。",
    ),
    "too_large": (
        "Your terminal is larger than tui-tutor draws: it uses {w}x{h} at the top left.",
        "你的终端比 tui-tutor 能绘制的更大：它只使用左上角的 {w}x{h}。",
    ),
    # the progress file (reasons are progress.REASONS' keys)
    "progress_not_saved": (
        "Your progress could not be saved: {reason}.",
        "你的进度无法保存：{reason}。",
    ),
    "progress_saved_again": ("Your progress is saved again.", "你的进度已重新保存。"),
    **{
        f"progress_{reason}": (REASONS[reason], zh)
        for reason, zh in (
            ("locked", "被另一个程序锁住"),
            ("disk_full", "磁盘已满"),
            ("damaged", "文件已损坏"),
            ("read_only", "文件是只读的"),
            ("io_error", "磁盘错误"),
            ("error", "写入失败"),
        )
    },
}


def t(key: str, lang: str, **values: object) -> str:
    en, zh = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
