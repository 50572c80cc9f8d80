"""Cisco IOS: napalm ``ios`` (merge / compare / commit / rollback, inline TCL transfer)
for changes, its netmiko session for reads and line-by-line restores.

VLANs live in vlan.dat (VTP server mode), not in the running configuration: they are read
from ``show vlan brief`` (which also lists the reserved VLANs 1002-1005), and a napalm
rollback (``configure replace``) does not bring deleted VLANs back; the restore step
completes it from the backup."""

from __future__ import annotations

from napalm import get_network_driver
from napalm.base.exceptions import MergeConfigException
from netmiko.exceptions import ConfigInvalidException

from amico.switches.drivers.base import (
    LOST,
    Driver,
    PushRejected,
    SessionLost,
    Snapshot,
    connection_error,
    watch_session,
)

ERROR_PATTERN = r"% Invalid input|may not be|% Incomplete command|% Ambiguous command"


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
        config = "\n".join(commands + ["end"])
        try:
            self.napalm.load_merge_candidate(config=config)
            self.last_compare = self.napalm.compare_config()
            self.napalm.commit_config()
        except MergeConfigException as exc:  # napalm already ran its own rollback
            raise PushRejected(f"ligne refusée par le commutateur (napalm) : {exc}") from exc
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'envoi : {type(exc).__name__}") from exc
        return self.last_compare

    def push_plain(self, commands: list[str]) -> str:
        try:
            return self.conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=60)
        except ConfigInvalidException as exc:
            raise PushRejected(f"ligne refusée par le commutateur : {exc}") from exc
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'envoi : {type(exc).__name__}") from exc

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
