"""Append post records to a site file as text: a small, reviewable diff.

The file is not re-dumped (that would drop its header comments and reformat every
line): the new records are inserted as YAML text at the end of the `postes:` block, in
the style of the file (item indentation), and the file is replaced atomically (temporary
file, fsync, rename), so an interruption leaves either the old or the new file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


class EcritureError(ValueError):
    """The site file cannot be edited as text (message in French)."""


def _scalar(key: str, value: str) -> str:
    # identifiers and addresses stay plain; free text and MACs are double-quoted (JSON
    # strings are valid YAML), so no YAML 1.1 tool ever reads them as something else.
    quoted = key in ("modele", "serie", "mac") or not _PLAIN.match(value)
    if not (quoted or value.isdigit() or value.lower() in _RESERVED):
        return value
    return json.dumps(value, ensure_ascii=False)


def render(records: list[dict], indent: int, comment: str | None = None) -> str:
    pad = " " * indent
    out = [f"{pad}# {comment}\n"] if comment else []
    for rec in records:
        first = True
        for key, value in rec.items():
            lead = f"{pad}- " if first else f"{pad}  "
            out.append(f"{lead}{key}: {_scalar(key, str(value))}\n")
            first = False
    return "".join(out)


def insert_posts(text: str, records: list[dict], comment: str | None = None) -> str:
    """The file text with `records` appended to its top-level `postes:` list."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"^postes\s*:", line)), None)
    if start is None:  # no postes key: add the block at the end of the file
        return "".join(lines) + "postes:\n" + render(records, 2, comment)
    rest = lines[start].split(":", 1)[1].split("#", 1)[0].strip()
    if rest == "[]":
        lines[start] = "postes:\n"
        return (
            "".join(lines[: start + 1]) + render(records, 2, comment) + "".join(lines[start + 1 :])
        )
    if rest:
        raise EcritureError(
            "la liste `postes` est écrite en style compact ([...]) : la réécrire en liste "
            "YAML (un « - nom: ... » par poste) avant la vague"
        )
    end, last, indent = start + 1, start, None
    while end < len(lines):
        line = lines[end]
        if _TOP_KEY.match(line) or line.startswith("---") or line.startswith("..."):
            break
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            last = end
            if indent is None and stripped.startswith("- "):
                indent = len(line) - len(line.lstrip(" "))
        end += 1
    indent = 2 if indent is None else indent
    at = last + 1
    return "".join(lines[:at]) + render(records, indent, comment) + "".join(lines[at:])


def write_atomic(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def append_posts(path: Path, records: list[dict], comment: str | None = None) -> None:
    text = path.read_text(encoding="utf-8")
    if comment and f"# {comment}" in text:
        comment = None  # once per wave and site
    write_atomic(path, insert_posts(text, records, comment))
