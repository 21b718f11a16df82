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
    "key_numbers": ("numbers", "序号显示"),
    "key_lang": ("中文", "English"),
    "key_help": ("help", "帮助"),
    "key_lessons": ("lessons", "课程"),
    "key_quit": ("quit", "退出"),
    "key_open": ("open", "打开"),
    "key_flags": ("flags", "标志位"),
    "key_fields": ("fields", "换输入框"),
    "key_pick": ("pick", "选择"),
    "key_type_state": ("type a state", "输入状态名"),
    "key_sandbox": ("sandbox", "沙盒"),
    "key_capture": ("capture", "抓包"),
    "key_undo": ("undo", "撤销"),
    "key_do": ("do it", "执行"),
    "key_move": ("move", "移动"),
    "help_title": ("Keys", "按键"),
    "help_scroll_hint": ("↑ ↓ PgUp PgDn scroll", "↑ ↓ PgUp PgDn 滚动"),
    "help_in_lesson": ("In a lesson", "课程中"),
    "help_in_picker": ("In the list of lessons", "课程列表中"),
    "help_in_sandbox": ("In the sandbox", "沙盒中"),
    "help_everywhere": ("Everywhere", "任何界面"),
    "help_marks": ("Marks", "标记"),
    "help_mark_current": (
        "a peer's current state, in its pane",
        "某一方当前所处的状态（在它的面板中）",
    ),
    "help_mark_fresh": (
        "the state a peer has just moved to, and the move it just made",
        "某一方刚刚进入的状态，以及它刚刚经过的状态转换",
    ),
    "help_mark_grade": ("a field answered right, wrong", "答对、答错的输入项"),
    "help_mark_ladder": (
        "on the ladder: a segment lost, a segment sent again, a timer that fired",
        "报文段图中：报文段丢失、报文段重传、定时器到期",
    ),
    "help_fields": (
        "next / previous field of the question",
        "切换到问题的下一个 / 上一个输入框",
    ),
    "help_check": (
        "check the answer, from any field; an empty or unreadable field is not counted as a try",
        "检查答案（在任何输入框中都可以）；空着或无法识别的输入不算一次作答",
    ),
    "help_flags": (
        "tick SYN, ACK, FIN, RST, PSH (unless the cursor is in a text field); in the flags "
        "field ← → and Space work too, and a number (0-9, x, y) moves on to seq and is typed there",
        "勾选 SYN、ACK、FIN、RST、PSH（光标不在文字输入框中时）；在标志位框中也可以用 ← → 和空格，"
        "输入数字（0-9、x、y）会跳到序号框并输入在那里",
    ),
    "help_numbers_typed": (
        "seq and ack: x+1, y+1, or a plain number counted from the ISN (absolute after t); "
        "leave ack empty when there is no ACK, len empty when there is no data",
        "序号和确认号：写 x+1、y+1，或从初始序列号算起的数字（按 t 后为绝对序列号）；"
        "没有 ACK 时确认号留空，没有数据时长度留空",
    ),
    "help_states": (
        "in a state field type the start of the name, or of a later word that only one state "
        "has: e ESTABLISHED, r SYN_RECEIVED, cw CLOSE_WAIT, closi CLOSING, f2 FIN_WAIT_2; "
        "↑ ↓ step through all states",
        "在状态框中输入状态名的开头，或只有一个状态含有的后面某个词的开头：e 为 ESTABLISHED，"
        "r 为 SYN_RECEIVED，cw 为 CLOSE_WAIT，closi 为 CLOSING，f2 为 FIN_WAIT_2；"
        "↑ ↓ 逐个切换全部状态",
    ),
    "help_choice": (
        "pick an answer of a multiple-choice question (↑ ↓ and Space in the list)",
        "选择选择题的答案（在列表中也可以用 ↑ ↓ 和空格）",
    ),
    "help_hint": ("a hint", "提示"),
    "help_reveal": (
        "reveal the answer beside yours (counted apart from solving it)",
        "在你的答案旁边揭晓正确答案（单独记录，不算答对）",
    ),
    "help_next": ("next step, once the question is answered", "下一步（回答问题之后）"),
    "help_back": ("back one step (everything restored)", "后退一步（一切复原）"),
    "help_check_c": ("check, like Enter (not in a state field)", "检查，同 Enter（状态框中除外）"),
    "help_restart": (
        "start the lesson again with new random ISNs (asks first: the score is wiped)",
        "用新的随机初始序列号重新开始本课（会先确认：得分将被清除）",
    ),
    "help_numbers": (
        "numbers as x, y / relative or absolute",
        "序列号显示为 x、y / 相对值或绝对值",
    ),
    "help_scroll": ("scroll the question panel", "滚动问题面板"),
    "help_kernel": (
        "on the results at the end: play the lesson on your own kernel (live mode)",
        "在结束时的结果页：在你自己的内核上执行本课（实机模式）",
    ),
    "help_kernel_sandbox": (
        "play the actions so far on your own kernel (live mode)",
        "在你自己的内核上执行目前的动作（实机模式）",
    ),
    "help_escape": ("back to the list of lessons", "返回课程列表"),
    "help_focus": (
        "The field with the cursor is drawn inverted between heavy bars ▐ ▌. After a check "
        "that is not right the cursor goes to the first field marked ✘ (what you type replaces "
        "what it holds); after a right one it leaves the form, and n goes on.",
        "光标所在的输入框反色显示，两边是粗竖条 ▐ ▌。检查结果不对时，光标移到第一个标 ✘ 的输入框"
        "（输入的内容会替换框中原有的内容）；答对后光标离开表单，按 n 继续。",
    ),
    "help_pick_lesson": ("choose a lesson", "选择课程"),
    "help_open_lesson": (
        "open it (a lesson resumes where you left it)",
        "打开（从上次离开处继续）",
    ),
    "help_sandbox": ("the sandbox: drive both peers yourself", "沙盒：自己操控双方"),
    "help_capture": (
        "open a real capture (pcap, pcapng) as a quiz",
        "把真实抓包（pcap、pcapng）当作练习打开",
    ),
    "help_sandbox_move": ("move between the actions", "在动作按钮之间移动"),
    "help_sandbox_do": ("do the action under the cursor", "执行光标所在的动作"),
    "help_sandbox_undo": ("undo the last action", "撤销上一个动作"),
    "help_sandbox_restart": ("start over with new ISNs", "用新的初始序列号重新开始"),
    "help_lang": ("English / 中文", "English / 中文"),
    "help_help": ("this help", "本帮助"),
    "help_quit": ("quit (progress is saved at every answer)", "退出（每次作答都会保存进度）"),
    "help_mouse": (
        "The mouse works too: click fields, buttons and lessons.",
        "也可以用鼠标：点击输入框、按钮和课程。",
    ),
    "help_close": ("Escape or ? closes this help.", "按 Escape 或 ? 关闭本帮助。"),
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
    "capture_at": ("at +{s} s", "于 +{s} 秒"),
    "capture_filter": ("address or port", "地址或端口"),
    "only_incomplete": ("incomplete handshakes", "未完成的握手"),
    "only_resets": ("resets", "被重置的"),
    "capture_filtered": (
        "{shown} of the {n} TCP connections in {file}: pick one.",
        "{file} 的 {n} 个 TCP 连接中有 {shown} 个符合：请选择一个。",
    ),
    "capture_filter_keys": (
        "/ filter · Tab, Space: tick · ↓ list · Enter: open",
        "/ 筛选 · Tab、空格：勾选 · ↓ 列表 · Enter：打开",
    ),
    "capture_first_listed": ("The first {n} are listed.", "只列出前 {n} 个。"),
    "handshake_incomplete": ("handshake incomplete", "握手未完成"),
    "captures_none": (
        "This server offers no captures to open.",
        "此服务器没有提供可以打开的抓包文件。",
    ),
    "captures_pick_file": (
        "{n} captures on this server: pick one.",
        "服务器上有 {n} 个抓包文件：请选择一个。",
    ),
    "capture_not_pcap": ("{file}: not a pcap or pcapng file", "{file}：不是 pcap 或 pcapng 文件"),
    "capture_empty": ("{file}: empty file, not a capture", "{file}：空文件，不是抓包文件"),
    "capture_no_tcp": ("no TCP connections in {file}", "{file} 中没有 TCP 连接"),
    "capture_link_type": (
        "{file}: a link type this reader does not know",
        "{file}：不支持的链路类型",
    ),
    "capture_damaged": ("{file}: the file is damaged or cut short", "{file}：文件已损坏或不完整"),
    "capture_at_byte": ("(at byte {n})", "（在第 {n} 字节处）"),
    "capture_missing": ("{file}: no such file", "{file}：文件不存在"),
    "capture_denied": ("{file}: not allowed to read it", "{file}：没有读取权限"),
    "capture_folder": ("{file}: a folder, not a capture file", "{file}：这是文件夹，不是抓包文件"),
    "capture_not_file": ("{file}: not a regular file", "{file}：不是普通文件"),
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
    # the same, for a header short of room
    "relative_short": ("rel. seq", "相对序号"),
    "absolute_short": ("abs. seq", "绝对序号"),
    "symbolic_short": ("seq x, y", "序号 x、y"),
    "flags": ("flags", "标志位"),
    # field labels in the form (the marks say lessons.explain.field_name)
    "field_len_short": ("len", "长度"),
    "field_client_state_short": ("client", "客户端"),
    "field_server_state_short": ("server", "服务器"),
    "field_state_short": ("state", "状态"),
    "after_it": ("after it:", "之后："),
    "check": ("Check", "检查"),
    "hint": ("Hint", "提示"),
    "reveal": ("Reveal", "揭晓"),
    "predict_default": ("Predict the next segment.", "预测下一个报文段。"),
    "predict_segment_n": ("Predict segment {n}", "预测第 {n} 个报文段"),
    "hint_default": (
        "Which segment does this one answer, and what did it use up?",
        "这个报文段是在回应哪一个？那个报文段用掉了哪些序列号？",
    ),
    "answer_first": (
        "Answer first (Enter checks), or reveal the answer with v.",
        "请先作答（按 Enter 检查），或按 v 揭晓答案。",
    ),
    "correct": ("Right!", "正确！"),
    "wrong": (
        "Not quite: try again, h for a hint, v to reveal.",
        "不完全对：再试一次，h 看提示，v 揭晓答案。",
    ),
    "revealed": (
        "Revealed (counted apart from solving): your answer, then the right one",
        "已揭晓（单独记录，不算答对）：你的答案，以及正确答案",
    ),
    "you_picked": ("you picked", "你选了"),
    "empty": ("(empty)", "（空）"),
    "missing": ("Fill in first: {fields}.", "请先填写：{fields}。"),
    "list_sep": (", ", "、"),
    "colon": (": ", "："),
    "in_parens": ("({text})", "（{text}）"),
    "bad_len": (
        'len: "{given}" is not a number of bytes',
        "长度：“{given}”不是字节数",
    ),
    "not_a_try": (
        "Not counted as a try: fix it and press Enter.",
        "这次不算作答：改好后再按 Enter。",
    ),
    "press_n": ("Press n to go on.", "按 n 继续。"),
    "answered_before": (
        "Answered before; you may try again (it does not change the score).",
        "之前已作答；可以再试（不影响得分）。",
    ),
    "hint_is": ("Hint:", "提示："),
    "lost": ("lost", "丢失"),
    "retransmission": ("retransmission", "重传"),
    "seg_sent": ("{sender} sends {label}", "{sender}发送 {label}"),
    "seg_lost": ("The segment is lost on the wire ✗", "该报文段在传输中丢失 ✗"),
    "caused_by_call": ("{peer}'s application calls {call}", "{peer}的应用{action}，调用 {call}"),
    "caused_by_timer": ("{peer}'s {timer} timer runs out", "{peer}的{timer}定时器超时"),
    "caused_by_segment": ("answer to segment {n}", "对第 {n} 个报文段的回应"),
    "timer_fired": ("{peer}: {timer} timer fired", "{peer}：{timer}定时器超时"),
    "timer_2msl": (
        "{peer}: TIME_WAIT for 2MSL = {seconds:g} s",
        "{peer}：TIME_WAIT 等待 2MSL = {seconds:g} 秒",
    ),
    "end_events": ("Time passes: the timers run out.", "时间流逝：定时器超时。"),
    "lesson_end": ("End of the lesson. Press n for your results.", "课程结束。按 n 查看结果。"),
    "capture_end": (
        "End of the capture. Press n for your results.",
        "抓包到此结束。按 n 查看结果。",
    ),
    "pick_one": ("Pick one (1-{n})", "选择一项（1-{n}）"),
    "pick_all": ("Pick every right answer (1-{n})", "选出所有正确答案（1-{n}）"),
    "unusual": ("Unusual here, not graded:", "此处情况特殊，不评分："),
    # state panes, ladder and diagram
    "exits_title": ("what can happen next", "接下来可能发生"),
    "same_state": ("(same)", "（不变）"),
    "capture_began": ("already open when the capture began", "抓包开始时连接已打开"),
    "resent_of": ("↻ of #{n}", "↻ 重传 #{n}"),
    "resent_of_rto": ("↻ of #{n}, RTO {rto:g} s", "↻ 重传 #{n}，RTO {rto:g} 秒"),
    "ladder_legend": ("✗ lost  ↻ resent  ◷ timer", "✗ 丢失  ↻ 重传  ◷ 定时器"),
    "key_diagram": ("diagram", "状态图"),
    "help_diagram": (
        "the whole state diagram (RFC 9293 figure 5) with both peers on it",
        "完整的状态图（RFC 9293 图 5），标出双方所在",
    ),
    "help_ladder": (
        "scroll the segments back and forth (the wheel too)",
        "前后滚动报文段（滚轮也可以）",
    ),
    "key_close": ("close", "关闭"),
    "key_scroll": ("scroll", "滚动"),
    "diagram_title": ("TCP states (RFC 9293 figure 5)", "TCP 状态图（RFC 9293 图 5）"),
    "diagram_legend": (
        "C client, S server; coloured: the way each came",
        "C 客户端，S 服务器；彩色：双方走过的路径",
    ),
    "diagram_listed": ("Not drawn, as in the RFC:", "未画出的转换（同 RFC 原图）："),
    # results
    "results": ("Results", "结果"),
    "results_score": ("Score: {score:g} of {total}", "得分：{score:g} / {total}"),
    "results_first": ("right at the first try", "第一次就答对"),
    "results_solved": ("right after trying again or a hint", "再试或看提示后答对"),
    "results_revealed": ("revealed", "揭晓"),
    "results_open": ("not answered", "未作答"),
    "results_missed": ("Not right at the first try:", "没有第一次就答对的题："),
    "results_keys": (
        "Enter: lessons   r: play again with new ISNs (asks first)   k: your kernel",
        "Enter：课程列表   r：用新的初始序列号重玩（会先确认）   k：你的内核",
    ),
    "results_keys_capture": (
        "Enter: lessons   r: play the capture again",
        "Enter：课程列表   r：重新练习这个抓包",
    ),
    # confirmations
    "confirm_title": ("Sure?", "确定吗？"),
    "confirm_keys": ("y or Enter: yes   n or Escape: no", "y 或 Enter：是   n 或 Escape：否"),
    "confirm_restart": (
        "Start “{title}” again with new ISNs? Its score and answers are wiped.",
        "用新的初始序列号重新开始“{title}”？本课的得分和作答记录将被清除。",
    ),
    "confirm_restart_capture": (
        "Start this capture again from its first segment? Your answers here are wiped.",
        "从第一个报文段重新开始这个抓包？这里的作答将被清除。",
    ),
    # sandbox
    "sandbox_title": ("Sandbox", "沙盒"),
    "sandbox_help": ("Pick the next action; b undoes it.", "选择下一个动作；b 撤销。"),
    "not_possible": (
        "Not possible: {peer} cannot {action} in {state}.",
        "无法执行：{peer}处于 {state} 状态，不能{action}。",
    ),
    "wait_seconds": ("wait", "等待"),
    "wait_n": ("{n} s", "{n} 秒"),
    "wait_2msl": ("2MSL {n} s", "2MSL {n} 秒"),
    "act_connect": ("connect", "连接"),
    "act_listen": ("listen", "监听"),
    "act_send": ("send {n} B", "发送 {n} 字节"),
    "act_close": ("close", "关闭"),
    "act_abort": ("abort", "中止"),
    "act_lose": ("lose next", "丢弃下一个"),
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
    # exams
    "exam_rules": (
        "{n} questions · {minutes} minutes from the moment you start\n\n"
        "No hints and no reveal. Each question takes one answer: the first you check is "
        "kept, and you are not told whether it is right.\n"
        "The clock keeps running if you leave; log in again to go on.",
        "{n} 道题 · 从开始起计时 {minutes} 分钟\n\n"
        "不能提示，也不能揭晓答案。每道题只能作答一次：第一次检查的答案即为最终答案，"
        "且不会告诉你是否正确。\n"
        "离开后计时不会停止；重新登录即可继续。",
    ),
    "exam_press_start": (
        "Press Enter to start: the clock starts then.",
        "按 Enter 开始：计时随即开始。",
    ),
    "exam_not_open": (
        "The exam opens at {time} (in {left}).",
        "考试将于 {time} 开放（还有 {left}）。",
    ),
    "exam_closed": ("The exam closed at {time}.", "考试已于 {time} 结束。"),
    "exam_finished": (
        "You have finished this exam; your answers are saved.",
        "你已完成本次考试，答案已保存。",
    ),
    "exam_time_up": ("Time is up: your answers are saved.", "时间到：你的答案已保存。"),
    "exam_score": (
        "Your score: {right} of {total} right.",
        "你的得分：{total} 题中答对 {right} 题。",
    ),
    "exam_answered": ("answered {k}/{n}", "已答 {k}/{n}"),
    "exam_left": ("{time} left", "剩余 {time}"),
    "exam_saved": ("Answer saved. Press n to go on.", "答案已保存。按 n 继续。"),
    "exam_no_help": ("No hints or reveals in an exam.", "考试中不能提示或揭晓答案。"),
    "exam_stay": ("The exam goes on: F finishes it.", "考试仍在进行：按 F 交卷。"),
    "exam_confirm_finish": (
        "Finish the exam now? Questions not answered stay unanswered.",
        "现在交卷吗？未作答的题目将记为未答。",
    ),
    "exam_end_keys": ("l: English / 中文 · q: quit", "l：English / 中文 · q：退出"),
    "exam_door_keys": (
        "Enter: start · l: English / 中文 · q: quit",
        "Enter：开始 · l：English / 中文 · q：退出",
    ),
    "key_finish": ("finish", "交卷"),
    # the trainer's live view (tui-tutor class)
    "class_title": ("Class", "班级"),
    "class_learners": ("{n} learners", "{n} 名学员"),
    "class_stuck": ("{n} stuck", "{n} 人卡住"),
    "class_updated": ("updated {time}", "更新于 {time}"),
    "class_sorted": ("sorted: {column}", "排序：{column}"),
    "class_empty": ("No learner has started yet.", "还没有学员开始学习。"),
    "class_unreadable": (
        "Cannot read the database ({reason}); showing what was read at {time}.",
        "无法读取数据库（{reason}）；显示 {time} 读到的内容。",
    ),
    "col_flag": ("!", "!"),
    "col_learner": ("learner", "学员"),
    "col_lesson": ("lesson", "课程"),
    "col_step": ("step", "步骤"),
    "col_score": ("score", "得分"),
    "col_hints": ("hints", "提示"),
    "col_reveals": ("shown", "揭晓"),
    "col_last": ("last", "上次作答"),
    "flag_tries": ("{n} wrong", "错{n}次"),
    "flag_idle": ("idle", "停滞"),
    "class_exam": ("Exam, {left} left: {title}", "考试，剩 {left}：{title}"),
    "minutes": ("{m} min", "{m} 分钟"),
    "under_a_minute": ("<1 min", "<1 分钟"),
    "hours": ("{h} h", "{h} 小时"),
    "days": ("{d} d", "{d} 天"),
    "sort_flag": ("stuck first", "卡住优先"),
    "key_sort": ("sort", "排序"),
    "key_reverse": ("reverse", "倒序"),
    "key_answers": ("answers", "作答记录"),
    "key_back_class": ("class", "班级"),
    "answers_title": ("{learner}'s answers, newest first", "{learner} 的作答记录，最新在前"),
    "answers_empty": ("No answer yet.", "还没有作答。"),
    "col_ago": ("ago", "距今"),
    "col_what": ("what", "类型"),
    "col_question": ("question", "题目"),
    "col_answer": ("answer", "答案"),
    "col_right": ("right", "对错"),
    "what_answer": ("answer", "作答"),
    "what_hint": ("hint", "提示"),
    "what_reveal": ("reveal", "揭晓"),
    "what_exam": ("exam", "考试"),
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
            ("unreachable", "无法连接数据库"),
            ("error", "写入失败"),
        )
    },
}


def t(key: str, lang: str, **values: object) -> str:
    en, zh = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
