"""Turn pydantic and TOML errors into one line each, in the file's own terms.

``FILE: steps[3].peer: must be "client" or "server"``: the dotted path is the
TOML path the author wrote (union tags that pydantic adds are left out), the
message talks about TOML keys and values, not Python types, and misspelt keys
and values get a "did you mean".
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .inputs import TOML_LIMIT, InputError, read_limited

# keys that pick the member of a discriminated union; pydantic puts their value in loc
DISCRIMINATORS = ("do", "kind")

# regular expressions of the models, said in words
PATTERNS = {
    r"^[a-z0-9][a-z0-9-]*$": 'lower-case letters, digits and dashes, like "three-way-handshake"',
}

# what a type error expects, for merging the errors of one value against a union
_NOUNS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "a string",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
}


class FileProblem(Exception):
    """One or more problems with one file, each already a complete line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class FieldError(ValueError):
    """A model validator's complaint about one field inside the model it checks.

    pydantic places a validator's error at the model itself; ``loc`` (as pydantic writes
    locations: keys and list indexes) says which field inside it is meant, so that the
    line names ``steps[3].bytes`` rather than the whole scenario.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        self.loc = loc
        super().__init__(message)


def read_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    """Parse a TOML file or raise FileProblem with one clear line.

    Only a regular file of at most ``TOML_LIMIT`` bytes is read, and its arrays and
    tables may nest at most ``MAX_DEPTH`` deep (deeper, Python's parser runs out of stack).
    """
    label = label or str(path)
    try:
        raw = read_limited(path, TOML_LIMIT, label)
    except InputError as err:
        raise FileProblem([str(err)]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise FileProblem([f"{label}: not UTF-8 text (byte offset {err.start})"]) from None
    except tomllib.TOMLDecodeError as err:
        raise FileProblem([f"{label}: invalid TOML: {err}"]) from None
    except RecursionError:
        data = None
    if data is None or _too_deep(data):
        raise FileProblem([f"{label}: arrays and tables nested more than {MAX_DEPTH} deep"])
    return data


# far deeper than any lesson (5 levels), far less than the parser's recursion allows
MAX_DEPTH = 32


def _too_deep(data: dict[str, Any]) -> bool:
    """Is anything nested more than MAX_DEPTH deep? (Walked without recursion.)"""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def dotted(loc: tuple[Any, ...], data: Any) -> str:
    """``('steps', 3, 'send', 'peer')`` -> ``steps[3].peer`` (the union tag dropped)."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            continue
        if (
            isinstance(node, dict)
            and part not in node
            and any(node.get(key) == part for key in DISCRIMINATORS)
        ):
            continue  # pydantic's union tag, not a key the author wrote
        if isinstance(node, str | int | float | bool):
            continue  # past the value itself: a union member's name, like "str" or "literal[...]"
        out += f".{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _quote_all(values: list[Any]) -> str:
    quoted = [f'"{v}"' if isinstance(v, str) else _toml_repr(v) for v in values]
    if len(quoted) <= 2:
        return " or ".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _suggest(value: Any, choices: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not match:
        match = [c for c in choices if c.lower() == value.lower()]
    return f'; did you mean "{match[0]}"?' if match else ""


def _literal_choices(error: dict[str, Any]) -> list[Any]:
    """The allowed values, as they are: strings stay strings, numbers become numbers."""
    expected = error.get("ctx", {}).get("expected", "")
    out: list[Any] = []
    for part in expected.replace(" or ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part[0] in "'\"":
            out.append(part.strip("'\""))
        else:
            try:
                out.append(int(part))
            except ValueError:
                out.append(part)
    return out


def _allowed_keys(model: type[BaseModel] | None, loc: tuple[Any, ...], data: Any) -> list[str]:
    """Keys allowed at the table that holds ``loc[-1]``, found by walking the input."""
    if model is None:
        return []
    return keys_at(model, loc[:-1], data)


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models a type annotation can hold (through Annotated, unions, lists)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for arg in typing.get_args(tp) for m in _models_in(arg)]


def _pick(models: list[type[BaseModel]], node: Any) -> type[BaseModel] | None:
    """The member of a discriminated union that ``node`` (a TOML table) chose."""
    if isinstance(node, dict):
        for key in DISCRIMINATORS:
            for m in models:
                field = m.model_fields.get(key)
                if field is not None and node.get(key) in typing.get_args(field.annotation):
                    return m
    return models[0] if models else None


def keys_at(model: type[BaseModel], loc: tuple[Any, ...], data: Any) -> list[str]:
    """Keys that the table at ``loc`` may have, for "did you mean" suggestions."""
    current: type[BaseModel] | None = model
    annotation: Any = None
    node = data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            current = _pick(_models_in(annotation), node)
            continue
        if current is None:
            return []
        if part not in current.model_fields:
            continue  # a union tag in loc
        annotation = current.model_fields[part].annotation
        node = node.get(part) if isinstance(node, dict) else None
        current = _pick(_models_in(annotation), node)
    return list(current.model_fields) if current is not None else []


def message(error: dict[str, Any], model: type[BaseModel] | None = None, data: Any = None) -> str:
    """A pydantic error dict, said in TOML terms."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx", {})
    loc = tuple(error.get("loc", ()))
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        name = loc[-1] if loc else "?"
        hint = _suggest(name, _allowed_keys(model, loc, data))
        return f'unknown key "{name}"{hint}'
    if kind == "literal_error":
        choices = _literal_choices(error)
        names = [c for c in choices if isinstance(c, str)]
        return f"must be {_quote_all(choices)}{_suggest(value, names)}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        what = PATTERNS.get(pattern, f"match {pattern}")
        return f"must be {what}, not {_toml_repr(value)}"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items, not {ctx.get('actual_length')}"
    if kind == "too_short" and ctx.get("min_length", 1) > 1:
        return f"must have at least {ctx.get('min_length')} items, not {ctx.get('actual_length')}"
    if kind == "union_tag_invalid":
        choices = [c.strip().strip("'\"") for c in ctx.get("expected_tags", "").split(",")]
        tag = ctx.get("tag")
        return f'unknown value "{tag}"{_suggest(tag, choices)} (one of: {", ".join(choices)})'
    if kind == "union_tag_not_found":
        return f'required key "{ctx.get("discriminator", "").strip(chr(39))}" is missing'
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {_toml_repr(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, not {_toml_repr(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {_toml_repr(value)}"
    if kind in ("string_type",):
        return f"must be a string, not {_toml_repr(value)}"
    if kind in ("list_type",):
        return f"must be an array, not {_toml_repr(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a table, not {_toml_repr(value)}"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx.get('gt'))}, not {_toml_repr(value)}"
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx.get('ge'))}, not {_toml_repr(value)}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx.get('le'))}, not {_toml_repr(value)}"
    if kind == "less_than":
        return f"must be less than {_num(ctx.get('lt'))}, not {_toml_repr(value)}"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", kind))


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def problems(
    err: ValidationError, label: str, data: Any, model: type[BaseModel] | None = None
) -> list[str]:
    """Every problem in a ValidationError, one line each: ``FILE: path: message``."""
    by_path: dict[str, list[Any]] = {}
    for error in err.errors():
        loc = tuple(error.get("loc", ()))
        inner = error.get("ctx", {}).get("error")
        if isinstance(inner, FieldError):
            loc += inner.loc
        if error["type"] == "union_tag_invalid":
            loc += (error.get("ctx", {}).get("discriminator", "").strip("'"),)
        by_path.setdefault(dotted(loc, data), []).append(error)
    lines: list[str] = []
    for path, errors in by_path.items():
        merged = _merge_union(errors)
        texts = [merged] if merged else [message(e, model, data) for e in errors]
        lines.extend(f"{label}: {path}: {text}" for text in dict.fromkeys(texts))
    return lines


def _merge_union(errors: list[dict[str, Any]]) -> str:
    """One value that matched no member of a union: one line that names every member."""
    if len(errors) < 2:
        return ""
    wanted: list[str] = []
    names: list[str] = []
    for error in errors:
        kind = error["type"]
        if kind == "literal_error":
            choices = _literal_choices(error)
            names += [c for c in choices if isinstance(c, str)]
            wanted.append(_quote_all(choices))
        elif kind in _NOUNS:
            wanted.append(_NOUNS[kind])
        else:
            return ""
    value = errors[0].get("input")
    text = f"must be {' or '.join(dict.fromkeys(wanted))}, not {_toml_repr(value)}"
    return text + _suggest(value, names)


def validate(model: type[BaseModel], data: Any, label: str) -> Any:
    """``model.model_validate(data)`` or FileProblem with every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise FileProblem(problems(err, label, data, model)) from None
