"""RFC 9293 figure 5, the TCP state diagram, laid out from the engine's transition table.

Only the places of the boxes are chosen here (as the RFC's figure has them: CLOSED at
the top, the opening states, ESTABLISHED in the middle, the closing states below,
CLOSED again at the bottom). Every arrow and every label comes from
``engine.TRANSITION_LIST``: each of figure 5's arrows is routed on a character grid
(A*: short, few bends, never through a box, crossing other arrows only at right
angles), and the labels of the rows that take it put beside a straight stretch of it.
Rows that every state has (a reset, an abort, giving up after retransmissions, a host
restart), loops and rows figure 5 has no arrow for are listed under the picture.

No Textual here: the diagram is Rich text, drawn by ``screens/diagram.py``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from functools import lru_cache

from rich.cells import cell_len
from rich.text import Text

from ..engine import TRANSITION_LIST, Event, State, Transition
from ..lessons.names import state_zh, transition_label

# (node, state, column 0..1 across the picture, row)
PLACES: tuple[tuple[str, State, float, int], ...] = (
    ("CLOSED", State.CLOSED, 0.5, 0),
    ("LISTEN", State.LISTEN, 0.5, 1),
    ("SYN_RECEIVED", State.SYN_RECEIVED, 0.0, 2),
    ("SYN_SENT", State.SYN_SENT, 1.0, 2),
    ("ESTABLISHED", State.ESTABLISHED, 0.5, 3),
    ("FIN_WAIT_1", State.FIN_WAIT_1, 0.0, 4),
    ("CLOSE_WAIT", State.CLOSE_WAIT, 1.0, 4),
    ("FIN_WAIT_2", State.FIN_WAIT_2, 0.0, 5),
    ("CLOSING", State.CLOSING, 0.5, 5),
    ("LAST_ACK", State.LAST_ACK, 1.0, 5),
    ("TIME_WAIT", State.TIME_WAIT, 0.5, 6),
    ("CLOSED_END", State.CLOSED, 1.0, 6),
)
# the states a connection is in while it opens: their way back to CLOSED goes up
OPENING = {State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED}
# rows every state has: listed beneath the picture, not drawn
LISTED_EVENTS = {Event.RCV_RST, Event.ABORT, Event.GIVE_UP, Event.CRASH}

# a box is its name between two borders; narrow Chinese pictures stack the two names
WIDE_ZH = 90  # narrower than this, a Chinese box has the textbook name under the RFC one
ROW_GAP = 2  # lines between two rows of boxes
BEND = 5  # what a bend costs, in cells of straight line
CROSS = 8  # what crossing another arrow costs
NEAR = 2  # what running right beside another arrow costs, a cell

UP, DOWN, LEFT, RIGHT = (0, -1), (0, 1), (-1, 0), (1, 0)
GLYPHS = {
    frozenset({UP, DOWN}): "│",
    frozenset({LEFT, RIGHT}): "─",
    frozenset({DOWN, RIGHT}): "╭",
    frozenset({DOWN, LEFT}): "╮",
    frozenset({UP, RIGHT}): "╰",
    frozenset({UP, LEFT}): "╯",
    frozenset({UP, DOWN, LEFT, RIGHT}): "┼",
}
HEADS = {UP: "▲", DOWN: "▼", LEFT: "◀", RIGHT: "▶"}


def node_of(state: State, source: State | None = None) -> str:
    """The box a state is drawn in: CLOSED has two, one for opening, one for the end."""
    if state is State.CLOSED and source is not None and source not in OPENING:
        return "CLOSED_END"
    return state.value


def arrow_of(row: Transition) -> tuple[str, str]:
    return node_of(row.state), node_of(row.next_state, row.state)


def is_drawn(row: Transition) -> bool:
    """An arrow in the picture, rather than a line of the list beneath it."""
    if row.state is row.next_state:
        return False
    if (row.event in LISTED_EVENTS and row.next_state is State.CLOSED) or row.beyond_the_rfc:
        return False
    return arrow_of(row) in FIGURE5_ARROWS


def listed_once_taken(row: Transition) -> bool:
    """Rows there is no room to list until a peer takes one: Linux's own (and a host
    restart), and reads, which change nothing the picture shows."""
    return row.beyond_the_rfc or row.event is Event.READ


# the picture has figure 5's arrows only; another row of the RFC's between the same two boxes
# is a second label on one of them, any other row a line beneath
FIGURE5_ARROWS = {arrow_of(row) for row in TRANSITION_LIST if row.figure5}


@dataclass
class Box:
    node: str
    state: State
    x: int
    y: int
    width: int
    names: tuple[str, ...]  # ("ESTABLISHED",), ("ESTABLISHED 已建立连接",) or stacked

    @property
    def height(self) -> int:
        return len(self.names) + 2

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    def ring(self) -> dict[tuple[int, int], tuple[int, int]]:
        """The cells just outside each side (no corners), with the direction into the box."""
        cells = {}
        for x in range(self.x + 1, self.x + self.width - 1):
            cells[(x, self.y - 1)] = DOWN
            cells[(x, self.y + self.height)] = UP
        for y in range(self.y + 1, self.y + self.height - 1):
            cells[(self.x - 1, y)] = RIGHT
            cells[(self.x + self.width, y)] = LEFT
        return cells


@dataclass
class Arrow:
    source: str
    target: str
    rows: list[Transition]
    cells: list[tuple[int, int]] = field(default_factory=list)
    label_cells: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Note:
    """A line under the picture: rows not drawn, or the label of an arrow with no room."""

    text: str
    rows: list[Transition]
    once_taken: bool = False  # listed only once a peer has taken one of its rows


class Layout:
    """The picture for one width and language: boxes, routed arrows, labels, notes."""

    def __init__(self, width: int, lang: str) -> None:
        self.lang = lang
        self.width = width
        self.boxes = self._place(width, lang)
        self.height = max(b.y + b.height for b in self.boxes.values()) + 1
        self.chars: dict[tuple[int, int], str] = {}
        self.arrows = self._arrows()
        self.notes: list[Note] = []  # labels that found no room beside their arrow
        self._dirs: dict[tuple[int, int], set[tuple[int, int]]] = {}
        self._heads: dict[tuple[int, int], tuple[int, int]] = {}
        self._ring_owner: dict[tuple[int, int], set[str]] = {}
        for box in self.boxes.values():
            for cell in box.ring():
                self._ring_owner.setdefault(cell, set()).add(box.node)
        for arrow in sorted(self.arrows, key=self._span):
            self._route(arrow)
        self._labels: dict[tuple[int, int], str] = {}
        self._tags = 0
        for arrow in sorted(self.arrows, key=lambda a: len(a.cells)):
            self._label(arrow)
        self.listed = self._listed()

    # ---------------------------------------------------------------- placing

    @staticmethod
    def _place(width: int, lang: str) -> dict[str, Box]:
        boxes = {}
        stacked = lang == "zh" and width < WIDE_ZH
        names: dict[str, tuple[str, ...]] = {}
        for node, state, _, _ in PLACES:
            if lang != "zh":
                names[node] = (state.value,)
            elif stacked:
                names[node] = (state.value, state_zh(state))
            else:
                names[node] = (f"{state.value} {state_zh(state)}",)
        inner = {node: max(cell_len(n) for n in names[node]) for node in names}
        widest = max(inner.values()) + 4
        box_height = max(len(n) for n in names.values()) + 2
        for node, state, column, row in PLACES:
            box_width = inner[node] + 4
            centre = 1 + widest // 2 + round(column * (width - widest - 2))
            x = max(1, min(width - box_width - 1, centre - box_width // 2))
            y = 1 + row * (box_height + ROW_GAP)
            boxes[node] = Box(node, state, x, y, box_width, names[node])
        return boxes

    def _arrows(self) -> list[Arrow]:
        by_pair: dict[tuple[str, str], Arrow] = {}
        for row in TRANSITION_LIST:
            if not is_drawn(row):
                continue
            pair = arrow_of(row)
            by_pair.setdefault(pair, Arrow(*pair, rows=[])).rows.append(row)
        return list(by_pair.values())

    def _span(self, arrow: Arrow) -> int:
        a, b = self.boxes[arrow.source], self.boxes[arrow.target]
        return abs(a.x - b.x) + abs(a.y - b.y) * 3

    # ---------------------------------------------------------------- routing

    def _blocked(self, cell: tuple[int, int]) -> bool:
        x, y = cell
        if not (0 <= x < self.width and 0 <= y < self.height):
            return True
        return any(box.contains(x, y) for box in self.boxes.values())

    def _route(self, arrow: Arrow) -> None:
        """A* from a cell beside the source box to one beside the target, into it."""
        source, target = self.boxes[arrow.source], self.boxes[arrow.target]
        goals = target.ring()
        tx, ty = target.x + target.width // 2, target.y + 1
        queue: list[tuple[float, int, tuple[int, int], tuple[int, int]]] = []
        came: dict[tuple[tuple[int, int], tuple[int, int]], tuple | None] = {}
        cost: dict[tuple[tuple[int, int], tuple[int, int]], float] = {}
        count = 0
        for cell, inward in source.ring().items():
            if self._dirs.get(cell) or cell in self._heads or self._blocked(cell):
                continue
            out = (-inward[0], -inward[1])
            key = (cell, out)
            cost[key] = 0.0
            came[key] = None
            heapq.heappush(queue, (self._guess(cell, tx, ty), count, cell, out))
            count += 1
        end = None
        while queue:
            _, _, cell, d = heapq.heappop(queue)
            here = cost[(cell, d)]
            if cell in goals and cell not in self._heads and not self._dirs.get(cell):
                inward = goals[cell]
                if inward == d or not self._dirs.get(cell):
                    end = (cell, d, inward)
                    break
            for nd in (UP, DOWN, LEFT, RIGHT):
                if nd == (-d[0], -d[1]):
                    continue
                turn = nd != d
                if turn and (self._dirs.get(cell) or cell in self._heads):
                    continue  # no bend where another arrow passes
                nxt = (cell[0] + nd[0], cell[1] + nd[1])
                if self._blocked(nxt) or nxt in self._heads:
                    continue
                owners = self._ring_owner.get(nxt, set())
                if owners and arrow.target not in owners:
                    continue  # keep clear of other boxes' sides
                if owners and (nxt not in goals or cell in goals):
                    continue  # into a side of the target once, not along it
                step = 1.0 + (BEND if turn else 0.0) + self._crowding(nxt, nd)
                used = self._dirs.get(nxt, set())
                if used:
                    if nd in used or (-nd[0], -nd[1]) in used:
                        continue  # never along another arrow
                    if len(used) != 2 or nxt in goals:
                        continue  # cross only a straight stretch
                    step += CROSS
                key = (nxt, nd)
                if here + step < cost.get(key, float("inf")):
                    cost[key] = here + step
                    came[key] = (cell, d)
                    count += 1
                    heapq.heappush(queue, (here + step + self._guess(nxt, tx, ty), count, nxt, nd))
        if end is None:
            self.notes.append(Note(self._label_lines(arrow)[0], arrow.rows))
            return
        cell, d, inward = end
        path = [(cell, d)]
        back = came[(cell, d)]
        while back is not None:
            path.append(back)
            back = came[back]
        path.reverse()
        arrow.cells = [c for c, _ in path]
        # directions each cell connects to: where it came from and where it goes
        for i, (c, din) in enumerate(path):
            dirs = self._dirs.setdefault(c, set())
            if i > 0:
                dirs.add((-din[0], -din[1]))
            if i < len(path) - 1:
                dirs.add(path[i + 1][1])
            elif i == 0:
                dirs.add(din)
        self._heads[cell] = inward
        self._dirs.pop(cell, None)
        start, out = path[0]
        self._dirs.setdefault(start, set()).add((-out[0], -out[1]))  # touches the source box

    def _crowding(self, cell: tuple[int, int], d: tuple[int, int]) -> float:
        """Running beside another arrow reads as one thick line: it costs a little."""
        side = (d[1], d[0])
        near = 0.0
        for s in (side, (-side[0], -side[1])):
            n = (cell[0] + s[0], cell[1] + s[1])
            if n in self._dirs or n in self._heads:
                near += NEAR
        return near

    @staticmethod
    def _guess(cell: tuple[int, int], tx: int, ty: int) -> float:
        return abs(cell[0] - tx) + abs(cell[1] - ty)

    # ---------------------------------------------------------------- labels

    def _label_lines(self, arrow: Arrow) -> list[str]:
        return [transition_label(row, self.lang) for row in arrow.rows]

    def _free(self, x: int, y: int) -> bool:
        if self._blocked((x, y)) or (x, y) in self._dirs or (x, y) in self._heads:
            return False
        return (x, y) not in self._labels

    def _fits(self, x: int, y: int, lines: list[str]) -> bool:
        for i, line in enumerate(lines):
            for dx in range(-1, cell_len(line) + 1):
                if not self._free(x + dx, y + i):
                    return False
            # two labels on one line need more than a blank between them to read as two
            if (x - 2, y + i) in self._labels or (x + cell_len(line) + 1, y + i) in self._labels:
                return False
        return True

    def _label(self, arrow: Arrow) -> None:
        if not arrow.cells:
            return
        one = self._label_lines(arrow)
        split = [part for line in one for part in _split(line)]
        for lines in (one, split):
            spot = self._spot(arrow, lines)
            if spot is not None:
                x, y = spot
                for i, line in enumerate(lines):
                    dx = 0
                    for ch in line:
                        self._labels[(x + dx, y + i)] = ch
                        arrow.label_cells.add((x + dx, y + i))
                        width = cell_len(ch)
                        for extra in range(1, width):
                            self._labels[(x + dx + extra, y + i)] = ""
                            arrow.label_cells.add((x + dx + extra, y + i))
                        dx += width
                return
        self._tag(arrow, one)

    def _tag(self, arrow: Arrow, lines: list[str]) -> None:
        """No room for the label: a letter beside the arrow, the label under the picture."""
        letter = "abcdefghijklmnopqrstuvwxyz"[self._tags]
        cells = arrow.cells
        order = sorted(range(len(cells)), key=lambda i: abs(i - len(cells) / 2))
        for i in order:
            x, y = cells[i]
            dirs = self._dirs.get((x, y)) or {self._heads.get((x, y), (0, 0))}
            sides = [(1, 0), (-1, 0)] if dirs <= {UP, DOWN} else [(0, -1), (0, 1)]
            for dx, dy in sides:
                if self._free(x + dx, y + dy) and not any(
                    (x + dx + n, y + dy) in self._labels for n in (-1, 1)
                ):
                    self._labels[(x + dx, y + dy)] = letter
                    arrow.label_cells.add((x + dx, y + dy))
                    self._tags += 1
                    self.notes.append(Note(f"{letter}: " + "; ".join(lines), arrow.rows))
                    return
        self.notes.append(Note("; ".join(lines), arrow.rows))

    def _spot(self, arrow: Arrow, lines: list[str]) -> tuple[int, int] | None:
        """Beside a straight stretch, as near the arrow's middle as there is room."""
        width = max(cell_len(line) for line in lines)
        height = len(lines)
        cells = arrow.cells
        middle = len(cells) / 2
        candidates: list[tuple[float, int, int]] = []
        for i, (x, y) in enumerate(cells):
            dirs = self._dirs.get((x, y)) or {self._heads.get((x, y), (0, 0))}
            horizontal = dirs <= {LEFT, RIGHT}
            vertical = dirs <= {UP, DOWN}
            distance = abs(i - middle)
            if vertical:
                for top in range(y - height + 1, y + 1):
                    candidates.append((distance, x + 2, top))
                    candidates.append((distance + 0.5, x - 1 - width, top))
            if horizontal:
                for left, extra in ((x - width // 2, 0.0), (x, 0.2), (x - width + 1, 0.2)):
                    candidates.append((distance + extra, left, y - height))
                    candidates.append((distance + extra + 0.5, left, y + 1))
        best: tuple[float, int, int] | None = None
        for score, x, y in sorted(candidates):
            if best is not None and score >= best[0]:
                break
            if self._fits(x, y, lines):
                score += NEAR * self._touching(x, y, lines, arrow)
                if best is None or score < best[0]:
                    best = (score, x, y)
        return None if best is None else (best[1], best[2])

    def _touching(self, x: int, y: int, lines: list[str], arrow: Arrow) -> int:
        """How many cells of other arrows a label would sit against (which reads ambiguous)."""
        own = set(arrow.cells)
        width = max(cell_len(line) for line in lines)
        count = 0
        for cy in range(y - 1, y + len(lines) + 1):
            for cx in range(x - 2, x + width + 2):
                if (cx, cy) not in own and ((cx, cy) in self._dirs or (cx, cy) in self._heads):
                    count += 1
        return count

    # ---------------------------------------------------------------- notes

    def _listed(self) -> list[Note]:
        """Rows not drawn, grouped: ``rcv RST → CLOSED: ESTABLISHED, FIN_WAIT_1 …``."""
        groups: dict[tuple[str, str, bool], list[Transition]] = {}
        for row in TRANSITION_LIST:
            if is_drawn(row):
                continue
            label = transition_label(row, self.lang, when=False)
            target = "↺" if row.state is row.next_state else f"→ {row.next_state.value}"
            groups.setdefault((label, target, listed_once_taken(row)), []).append(row)
        notes = []
        for (label, target, once_taken), rows in groups.items():
            states = ", ".join(dict.fromkeys(r.state.value for r in rows))
            notes.append(Note(f"{label} {target}: {states}", rows, once_taken))
        return notes

    # ---------------------------------------------------------------- drawing

    def render(
        self,
        marks: dict[str, str],
        taken: dict[Transition, str],
        here: dict[str, str],
    ) -> list[Text]:
        """The picture as lines. ``marks``: node -> "C", "S" or "C S" on current boxes;
        ``taken``: rows on a peer's path -> style; ``here``: node -> style of a current box."""
        grid = [[" "] * self.width for _ in range(self.height)]
        styles: dict[tuple[int, int], str] = {}
        for (x, y), dirs in self._dirs.items():
            grid[y][x] = GLYPHS.get(frozenset(dirs), "┼" if len(dirs) > 2 else "·")
        for (x, y), d in self._heads.items():
            grid[y][x] = HEADS[d]
        for arrow in self.arrows:
            style = next((taken[r] for r in arrow.rows if r in taken), "")
            if not style:
                continue
            for cell in [*arrow.cells, *arrow.label_cells]:
                styles[cell] = style
        for (x, y), ch in self._labels.items():
            grid[y][x] = ch
        for box in self.boxes.values():
            self._draw_box(grid, styles, box, marks.get(box.node, ""), here.get(box.node, ""))
        lines = []
        for y, row in enumerate(grid):
            line = Text()
            for x, ch in enumerate(row):
                if ch:
                    line.append(ch, style=styles.get((x, y), "dim" if ch in "│─╭╮╰╯┼" else ""))
            line.rstrip()
            lines.append(line)
        return lines

    @staticmethod
    def _draw_box(grid, styles, box: Box, mark: str, style: str) -> None:
        heavy = bool(mark)
        top, bottom, side = ("┏┓", "┗┛", "┃") if heavy else ("┌┐", "└┘", "│")
        bar = "━" if heavy else "─"
        inner = box.width - 2
        top_text = bar * inner
        if mark:  # the peers in this state, on the top border: ┏━ C S ━━┓
            top_text = (bar + f" {mark} " + bar * inner)[:inner]
        rows = [
            top[0] + top_text + top[1],
            *(side + " " + name + " " * (inner - 1 - cell_len(name)) + side for name in box.names),
            bottom[0] + bar * inner + bottom[1],
        ]
        for dy, text in enumerate(rows):
            x = box.x
            for ch in text:
                grid[box.y + dy][x] = ch
                styles[(x, box.y + dy)] = style
                for extra in range(1, cell_len(ch)):
                    grid[box.y + dy][x + extra] = ""
                x += cell_len(ch)


def _split(label: str) -> list[str]:
    event, slash, send = label.partition(" / ")
    return [event, "/ " + send] if slash else [label]


@lru_cache(maxsize=8)
def layout(width: int, lang: str) -> Layout:
    """The layout depends only on the width and the language: computed once for each."""
    return Layout(width, lang)


CLIENT_STYLE = "bold cyan"
SERVER_STYLE = "bold magenta"
BOTH_STYLE = "bold yellow"


def highlights(
    paths: dict[str, list[tuple[State, Transition]]],
) -> tuple[dict[str, str], dict[Transition, str], dict[str, str]]:
    """From each peer's path (``"C"``/``"S"`` -> (state it left, row taken), in order): the
    marks on the current boxes, the style of every row taken, the style of current boxes."""
    marks: dict[str, list[str]] = {}
    taken: dict[Transition, str] = {}
    for mark, path in paths.items():
        style = CLIENT_STYLE if mark == "C" else SERVER_STYLE
        for _, row in path:
            taken[row] = BOTH_STYLE if taken.get(row, style) != style else style
        if path:
            old, row = path[-1]
            node = node_of(row.next_state, old)
        else:
            node = node_of(State.CLOSED)
        marks.setdefault(node, []).append(mark)
    here = {
        node: CLIENT_STYLE if m == ["C"] else SERVER_STYLE if m == ["S"] else BOTH_STYLE
        for node, m in marks.items()
    }
    return {node: " ".join(m) for node, m in marks.items()}, taken, here
