"""Switch configurations for the dossier: the last backup of each switch (from the switch
layer's git repository per site) and its diff from the intended configuration.

Uses the switch layer's public functions: :class:`amico.commutateurs.backup.BackupRepo`
(reading), :func:`amico.commutateurs.intent.intent_from_site`,
:func:`amico.commutateurs.parsing.parse`,
:func:`amico.commutateurs.plan.make_plan`, :func:`amico.commutateurs.render.render_config` and
:func:`amico.commutateurs.render.unified_diff` - the same diff as a check run shows.

ADAPTERS (the switch layer has no function for these yet):
- the date of a backup: one ``git log`` per site (``BackupRepo.history`` gives no date);
- IOS backups carry ``show vlan brief`` as ``! ``-commented lines after
  ``! ---- show vlan brief ----`` (``CiscoDriver.read``); :func:`split_ios_backup` gives it
  back to the parser, without which IOS VLANs would all look missing.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from amico.state import state_dir

_IOS_BRIEF_MARK = "! ---- show vlan brief ----"


@dataclass
class ConfigReport:
    switch: str
    backup: str | None = None  # filtered running config as backed up
    commit: str | None = None
    date: str | None = None  # ISO commit date of the backup
    message: str | None = None
    intended: str | None = None  # managed part, intended
    current: str | None = None  # managed part, from the backup
    diff: str | None = None  # unified diff, "" when compliant
    problem: str | None = None  # French: why a part is missing

    @property
    def compliant(self) -> bool | None:
        return None if self.diff is None else self.diff == ""


def backups_root(uai: str) -> Path:
    return state_dir("commutateurs", uai, create=False)


def backup_log(root: Path) -> dict[str, tuple[str, str, str]]:
    """ADAPTER: file name -> (commit, ISO date, message) of its last commit."""
    if not (root / ".git").is_dir():
        return {}
    proc = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%x01%H%x02%cI%x02%s", "--name-only"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {}
    out: dict[str, tuple[str, str, str]] = {}
    for chunk in proc.stdout.split("\x01")[1:]:
        head, _, files = chunk.partition("\n")
        commit, date, message = (head.split("\x02") + ["", ""])[:3]
        for name in files.split():
            out.setdefault(name, (commit, date, message))  # newest first: keep the first
    return out


def split_ios_backup(text: str) -> tuple[str, str | None]:
    """ADAPTER: (running config, show vlan brief) from an IOS backup."""
    if _IOS_BRIEF_MARK not in text:
        return text, None
    running, _, brief = text.partition(_IOS_BRIEF_MARK)
    lines = [line[2:] if line.startswith("! ") else line.lstrip("!") for line in brief.splitlines()]
    return running, "\n".join(lines)


def site_configs(site, site_dict: dict, plan_vlans: list[dict]) -> list[ConfigReport]:
    """One report per switch of the site, in référentiel order."""
    from amico.commutateurs.backup import BackupError, BackupRepo

    root = backups_root(site.uai)
    log = backup_log(root)
    repo = BackupRepo(site.uai, root=root) if log else None
    reports = []
    for switch in site.commutateurs:
        rep = ConfigReport(switch.nom)
        entry = log.get(f"{switch.nom}.cfg")
        if entry is None or repo is None:
            rep.problem = "aucune sauvegarde de configuration"
            reports.append(rep)
            continue
        rep.commit, rep.date, rep.message = entry
        try:
            rep.backup = repo.read(switch.nom, rep.commit)
        except BackupError as exc:
            rep.problem = f"sauvegarde illisible : {exc}"
            reports.append(rep)
            continue
        _intended_diff(rep, switch, site_dict, plan_vlans)
        reports.append(rep)
    return reports


def _intended_diff(rep: ConfigReport, switch, site_dict: dict, plan_vlans: list[dict]) -> None:
    from amico.commutateurs.intent import IntentError, intent_from_site
    from amico.commutateurs.parsing import parse
    from amico.commutateurs.plan import make_plan
    from amico.commutateurs.render import render_config, unified_diff

    try:
        intent = intent_from_site(site_dict, plan_vlans, switch.nom)
    except IntentError as exc:
        rep.problem = f"configuration voulue impossible à établir : {exc}"
        return
    running, brief = (
        split_ios_backup(rep.backup) if switch.fabricant == "cisco" else (rep.backup, None)
    )
    try:
        current = parse(switch.fabricant, running, brief)
        plan = make_plan(current, intent)
        rep.current = render_config(switch.fabricant, current, plan.managed_ports)
        rep.intended = render_config(switch.fabricant, plan.desired, plan.managed_ports)
    except (ValueError, KeyError) as exc:
        rep.problem = f"sauvegarde non interprétable : {type(exc).__name__}: {exc}"
        return
    rep.diff = unified_diff(rep.current, rep.intended, switch.nom)
