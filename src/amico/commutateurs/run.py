"""One switch, end to end: read, plan, check safety, back up, push, verify, restore.

:func:`apply_switch` never raises for a device problem: it returns a
:class:`SwitchResult` whose ``status`` says what happened, so that one switch failing
(unreachable, wrong password, session dropped, line rejected) never stops the others
(:func:`apply_many`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from amico.commutateurs.backup import BackupError, BackupRepo
from amico.commutateurs.drivers import Driver, Target, get_driver
from amico.commutateurs.drivers.base import DriverError, PushRejected
from amico.commutateurs.intent import SwitchIntent
from amico.commutateurs.model import SwitchState
from amico.commutateurs.parsing import parse
from amico.commutateurs.plan import diff_states, make_plan
from amico.commutateurs.render import (
    RenderError,
    needs_dot1q,
    render_commands,
    render_config,
    unified_diff,
)

# status values (French, shown in reports)
CONFORME = "conforme"  # nothing to change
A_MODIFIER = "a_modifier"  # check mode: changes pending
MODIFIE = "modifie"  # pushed and verified
REFUSE = "refuse"  # safety refusal, nothing pushed
ECHEC_CONNEXION = "injoignable"  # could not connect or read
ILLISIBLE = "configuration_illisible"  # connected, but what the switch printed cannot be read
RESTAURE = "echec_restaure"  # push failed, previous state restored
NON_RESTAURE = "echec_non_restaure"  # push failed and the restore failed too

DriverFactory = Callable[[str, Target], Driver]


@dataclass
class SwitchResult:
    name: str
    vendor: str
    status: str = CONFORME
    changed: bool = False
    diff: str = ""
    before: str = ""
    after: str = ""
    commands: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    rejected_lines: list[str] = field(default_factory=list)  # refused by the device itself
    error: str | None = None
    backup_before: str | None = None
    backup_after: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in (REFUSE, ECHEC_CONNEXION, ILLISIBLE, RESTAURE, NON_RESTAURE)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["failed"] = self.failed
        return data


def _read_state(driver: Driver, vendor: str) -> tuple[str, SwitchState]:
    snap = driver.read()
    return snap.running, parse(vendor, snap.running, snap.vlan_brief)


def apply_switch(
    intent: SwitchIntent,
    target: Target,
    *,
    check: bool = False,
    force: bool = False,
    backup: bool = True,
    driver_factory: DriverFactory = get_driver,
) -> SwitchResult:
    t0 = time.monotonic()
    res = SwitchResult(intent.hostname, intent.vendor)
    try:
        _apply(
            intent,
            target,
            res,
            check=check,
            force=force,
            backup=backup,
            driver_factory=driver_factory,
        )
    except Exception as exc:  # noqa: BLE001 - one switch's surprise never stops the others
        res.status = ILLISIBLE
        res.error = f"erreur inattendue sur ce commutateur : {type(exc).__name__}: {exc}"
    finally:
        res.seconds = round(time.monotonic() - t0, 3)
    return res


def _apply(
    intent: SwitchIntent,
    target: Target,
    res: SwitchResult,
    *,
    check: bool,
    force: bool,
    backup: bool,
    driver_factory: DriverFactory,
) -> None:
    vendor = intent.vendor
    driver = driver_factory(vendor, target)
    try:
        driver.open()
        running, current = _read_state(driver, vendor)
    except DriverError as exc:
        res.status, res.error = ECHEC_CONNEXION, str(exc)
        driver.__exit__(None, None, None)
        return
    except Exception as exc:  # noqa: BLE001 - whatever one device prints, the others go on
        res.status = ILLISIBLE
        res.error = f"configuration illisible, rien n'est modifié : {type(exc).__name__}: {exc}"
        driver.__exit__(None, None, None)
        return
    with driver:
        plan = make_plan(current, intent)
        res.warnings = list(current.warnings) + list(plan.warnings)
        ports = plan.managed_ports
        res.before = render_config(vendor, current, ports)
        res.after = render_config(vendor, plan.desired, ports)
        res.diff = unified_diff(res.before, res.after, intent.hostname)
        res.refusals = list(plan.refusals)
        dot1q = needs_dot1q(vendor, _model(driver, intent, plan.changes, res))
        try:
            res.commands = render_commands(vendor, plan.changes, dot1q=dot1q)
        except RenderError as exc:  # defence in depth behind the référentiel's schema
            res.refusals.append(
                f"commande refusée par le contrôle d'AMICo avant tout envoi : {exc} ; "
                "corriger cette valeur dans le référentiel (rien n'a été envoyé)"
            )
        if plan.management_cuts and not force:
            res.refusals += [
                f"coupure du management refusée (option force) : {r}" for r in plan.management_cuts
            ]
        elif plan.management_cuts:
            res.warnings += [
                f"forcé malgré le risque de coupure : {r}" for r in plan.management_cuts
            ]
        if res.refusals:
            res.status = REFUSE
            res.error = "; ".join(res.refusals)
            return
        if plan.changes.empty:
            res.status = CONFORME
            if backup and not check and intent.uai:
                res.backup_before = _backup(intent, running, "sauvegarde (conforme)", res)
            return
        if check:
            res.status = A_MODIFIER
            return
        repo_msg = f"avant modification par AMICo ({len(res.commands)} commandes)"
        if backup and intent.uai:
            res.backup_before = _backup(intent, running, repo_msg, res)
            if res.error:  # no backup, no change
                res.status = REFUSE
                return
        try:
            driver.push(res.commands)
            new_running, new_state = _read_state(driver, vendor)
            left = diff_states(
                new_state, plan.desired, vendor, ports=ports, svis=[intent.mgmt_vlan]
            )
            if not left.empty:
                raise PushRejected(
                    "vérification après envoi : la configuration relue diffère "
                    "de la configuration voulue : " + _gaps(vendor, left, dot1q)
                )
            driver.save()
        except (DriverError, ValueError, RuntimeError) as exc:  # napalm/netmiko raise these too
            res.error = (
                str(exc)
                if isinstance(exc, DriverError)
                else (f"échec de l'envoi : {type(exc).__name__}: {exc}")
            )
            res.changed = True  # something may have been applied before the failure
            if isinstance(exc, PushRejected):
                res.rejected_lines = exc.lines
            _restore(
                intent,
                target,
                current,
                res,
                driver,
                driver_factory,
                reconnect=not isinstance(exc, PushRejected),
                dot1q=dot1q,
            )
            return
        res.status, res.changed = MODIFIE, True
        if backup and intent.uai:
            res.backup_after = _backup(intent, new_running, "après modification par AMICo", res)


def _model(driver: Driver, intent: SwitchIntent, changes, res: SwitchResult) -> str | None:
    """The switch's model when a port is to be made a trunk (the encapsulation depends on
    it): what the device reports, else the référentiel's ``modele``."""
    if not any(pc.after.mode == "trunk" for pc in changes.ports):
        return intent.model
    try:
        return driver.platform_model() or intent.model
    except DriverError as exc:
        res.warnings.append(f"modèle non lu sur le commutateur ({exc}) : modèle du référentiel")
        return intent.model


def _gaps(vendor: str, changes, dot1q: bool = False) -> str:
    """The first commands that would close ``changes``, for an error message."""
    try:
        return "; ".join(render_commands(vendor, changes, dot1q=dot1q)[:10])
    except RenderError as exc:
        return f"(écarts non affichables : {exc})"


def _backup(intent: SwitchIntent, text: str, message: str, res: SwitchResult) -> str | None:
    try:
        return BackupRepo(intent.uai).save(intent.hostname, text, f"{intent.hostname} : {message}")
    except (BackupError, OSError) as exc:
        from amico.state import diagnostic_lieu, message_erreur_fs, racine

        detail = (message_erreur_fs(exc) if isinstance(exc, OSError) else None) or str(exc)
        lieu = diagnostic_lieu(racine() / "commutateurs" / intent.uai)
        if lieu and lieu not in detail:
            detail = f"{lieu} ({racine()}) : {detail}"
        res.error = f"sauvegarde impossible : {detail}"
        # a conforme switch keeps its status: the failed backup must still be seen (result,
        # Ansible warning, report), never silence
        res.warnings.append(f"sauvegarde de la configuration impossible : {detail}")
        return None


def _restore(
    intent: SwitchIntent,
    target: Target,
    previous: SwitchState,
    res: SwitchResult,
    driver: Driver,
    driver_factory: DriverFactory,
    reconnect: bool,
    dot1q: bool = False,
) -> None:
    """Bring the switch back to ``previous`` (vendor rollback first when it has one, then
    line by line from the parsed backup), and verify."""
    vendor = intent.vendor
    fresh: Driver | None = None
    try:
        if reconnect:
            fresh = driver_factory(vendor, target)
            fresh.open()
            driver = fresh
        driver.restore_native()
        _, now = _read_state(driver, vendor)
        back = diff_states(now, previous, vendor)
        if not back.empty:
            # RenderError: handled below
            driver.push_plain(render_commands(vendor, back, dot1q=dot1q))
            _, now = _read_state(driver, vendor)
            back = diff_states(now, previous, vendor)
        if back.empty:
            driver.save()
            res.status = RESTAURE
            res.changed = False
            res.error = f"{res.error} ; configuration précédente restaurée et vérifiée"
        else:
            res.status = NON_RESTAURE
            res.error = f"{res.error} ; RESTAURATION INCOMPLÈTE, écarts restants : " + _gaps(
                vendor, back, dot1q
            )
    except (DriverError, RenderError) as exc:
        res.status = NON_RESTAURE
        res.error = f"{res.error} ; restauration impossible : {exc}"
    finally:
        if fresh is not None:
            fresh.__exit__(None, None, None)


def apply_many(
    items: list[tuple[SwitchIntent, Target]], *, workers: int = 8, **kwargs
) -> list[SwitchResult]:
    """Apply several switches in parallel; results in the order of ``items``."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        futures = [pool.submit(apply_switch, intent, target, **kwargs) for intent, target in items]
        return [f.result() for f in futures]
