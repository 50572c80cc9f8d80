"""The field's parsers: ntc-templates (TextFSM), with the project's local fixes.

A template is looked up first in ``textfsm/`` beside this module (a fixed copy, see its
README), then in the installed ``ntc_templates`` package. Rows come back as dicts with
lower-case keys, as ntc-templates' own ``parse_output`` gives them."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import ntc_templates
import textfsm

LOCAL = Path(__file__).parent / "textfsm"
NTC = Path(ntc_templates.__file__).parent / "templates"


class TemplateError(ValueError):
    """An output the template cannot read (message in French)."""


class CommandRefused(TemplateError):
    """The switch refused the command itself (unknown on this model or image, feature
    disabled): nothing was listed, which is not the same as an empty listing."""


# What IOS and ArubaOS-Switch print instead of a listing
_REFUSED = re.compile(
    r"^\s*(?:% ?(?:Invalid input|Incomplete command|Ambiguous command|Unknown command|"
    r"LLDP is not enabled)|Invalid input:)",
    re.IGNORECASE | re.MULTILINE,
)


@functools.cache
def _source(name: str) -> str:
    for folder in (LOCAL, NTC):
        path = folder / f"{name}.textfsm"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise TemplateError(f"modèle TextFSM introuvable : {name}")


def parse_template(name: str, text: str) -> list[dict]:
    """Run template ``name`` (e.g. ``cisco_ios_show_vlan``) over ``text``."""
    refused = _REFUSED.search(text)
    if refused:
        line = text[refused.start() :].splitlines()[0].strip()[:120]
        raise CommandRefused(
            f"sortie illisible pour {name} : commande refusée par le commutateur : {line}"
        )
    # A TextFSM object keeps its state between lines: one per parse.
    fsm = textfsm.TextFSM(io.StringIO(_source(name)))
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        line = str(exc).rsplit("Input Line:", 1)[-1].strip()[:120]
        raise TemplateError(f"sortie illisible pour {name} : {line}") from exc
    keys = [h.lower() for h in fsm.header]
    return [dict(zip(keys, row, strict=True)) for row in rows]
