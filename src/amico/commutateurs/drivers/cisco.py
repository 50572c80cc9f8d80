"""Cisco IOS: napalm ``ios`` (merge / compare / commit / rollback, inline TCL transfer)
for changes, its netmiko session for reads and line-by-line restores.

VLANs live in vlan.dat (VTP server mode), not in the running configuration: they are read
from ``show vlan brief`` (which also lists the reserved VLANs 1002-1005), and a napalm
rollback (``configure replace``) does not bring deleted VLANs back; the restore step
completes it from the backup."""

from __future__ import annotations

import contextlib
import re

from napalm import get_network_driver
from napalm.base.exceptions import MergeConfigException
from netmiko.exceptions import ConfigInvalidException

from amico.commutateurs.drivers.base import (
    LOST,
    Driver,
    PushRejected,
    SessionLost,
    Snapshot,
    connection_error,
    refused_lines,
    rejected,
    watch_session,
)

# What IOS prints when it refuses a line: a ``%`` message (``% Invalid input``, ``% VTP
# VLAN configuration not allowed...``, ``%Default VLAN 1 may not be deleted``), except the
# informational ones and syslog messages, or ``Command rejected: ...``. Anchored at a line
# start (an echoed command never matches) and kept whole as the message.
ERROR_PATTERN = (
    r"^\s*(?:%(?! ?Access VLAN does not exist)(?! ?Warning)(?![A-Z0-9_]+-\d-[A-Z0-9_]+:)"
    r"|Command rejected).*$"
)


class CiscoDriver(Driver):
    vendor = "cisco"

    def open(self) -> None:
        t = self.target
        cls = get_network_driver("ios")
        self.napalm = cls(
            t.host,
            t.username,
            t.password,
            timeout=int(t.timeout),
            optional_args={
                "port": t.port,
                "inline_transfer": True,
                "dest_file_system": "flash:",
                "conn_timeout": t.timeout,
                "auth_timeout": t.timeout,
                "fast_cli": True,
                "allow_agent": False,
                "use_keys": False,
                "banner_timeout": t.timeout,
            },
        )
        try:
            self.napalm.open()
        except Exception as exc:  # noqa: BLE001 - mapped to a French report
            cause = exc.__cause__ or exc.__context__ or exc
            raise connection_error(cause if cause is not exc else exc, t) from exc
        self.conn = self.napalm.device
        watch_session(self.conn)  # a dropped session fails napalm's commit at once, not in 90 s

    def read(self) -> Snapshot:
        try:
            running = self.conn.send_command("show running-config", read_timeout=60)
            brief = self.conn.send_command("show vlan brief", read_timeout=60)
        except LOST as exc:
            raise SessionLost(f"session perdue pendant la lecture : {exc}") from exc
        return Snapshot(f"{running}\n! ---- show vlan brief ----\n{_comment(brief)}", brief)

    def push(self, commands: list[str]) -> str:
        """napalm merge. napalm itself only fails on ``Invalid input detected`` in the
        output of ``copy <file> running-config``; that output is captured here and every
        other refusal (``Command rejected``, ``% VTP ...``) is reported too."""
        config = "\n".join(commands + ["end"])
        outputs: list[str] = []
        handler = self.napalm._commit_handler

        def capture(cmd: str) -> str:
            out = handler(cmd)
            outputs.append(out)
            return out

        self.napalm._commit_handler = capture
        try:
            self.napalm.load_merge_candidate(config=config)
            self.last_compare = self.napalm.compare_config()
            self.napalm.commit_config()
        except MergeConfigException as exc:  # napalm already ran its own rollback
            lines = refused_lines(str(exc), ERROR_PATTERN, commands) or [str(exc)]
            raise PushRejected(
                "ligne refusée par le commutateur (fusion napalm) : " + " ; ".join(lines), lines
            ) from exc
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'envoi : {type(exc).__name__}") from exc
        finally:
            del self.napalm._commit_handler  # back to napalm's own method
        refusals = refused_lines("\n".join(outputs), ERROR_PATTERN, commands)
        if refusals:
            raise PushRejected(
                "ligne refusée par le commutateur (fusion napalm) : " + " ; ".join(refusals),
                refusals,
            )
        return self.last_compare

    def push_plain(self, commands: list[str]) -> str:
        try:
            return self.conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=60)
        except ConfigInvalidException as exc:
            with contextlib.suppress(LOST):  # netmiko stops mid-set, still in config mode
                self.conn.exit_config_mode()
            raise rejected(exc) from exc
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'envoi : {type(exc).__name__}") from exc

    def platform_model(self) -> str | None:
        """The model ``show version`` names (``WS-C3750X-24P``), None if it names none."""
        try:
            out = self.conn.send_command("show version", read_timeout=30)
        except LOST as exc:
            raise SessionLost(f"session perdue pendant la lecture : {exc}") from exc
        m = re.search(r"^[Cc]isco (\S+) .*processor", out, re.M) or re.search(
            r"^Model [Nn]umber\s*:\s*(\S+)", out, re.M
        )
        return m.group(1) if m else None

    def restore_native(self) -> bool:
        try:
            self.napalm.rollback()
            return True
        except Exception:  # noqa: BLE001 - no rollback file (nothing committed yet)
            return False

    def close(self) -> None:
        napalm = getattr(self, "napalm", None)
        if napalm is None or napalm.device is None:
            return
        try:
            napalm.close()  # may fail early on a dead session (file prompt restore)...
        finally:
            if napalm.device is not None:  # ...then close the SSH session ourselves
                napalm.device.disconnect()


def _comment(text: str) -> str:
    return "\n".join(f"! {line}".rstrip() for line in text.splitlines())
