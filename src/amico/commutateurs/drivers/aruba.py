"""ArubaOS-Switch / ProCurve over netmiko ``hp_procurve`` (CLI; no napalm core driver)."""

from __future__ import annotations

import contextlib

from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from amico.commutateurs.drivers.base import (
    LOST,
    Driver,
    SessionLost,
    Snapshot,
    connection_error,
    rejected,
    watch_session,
)

# What ArubaOS-Switch prints when it refuses a line; anchored at a line start so that an
# echoed command (``name "Error log"``) never matches, the whole line kept as the message.
ERROR_PATTERN = (
    r"^\s*(?:Invalid input|Incomplete input|Ambiguous input|Module not present|"
    r"String too long|The default VLAN cannot|Port \S+: a port must|.*cannot be deleted|"
    r".*must be a member|Error|Unable to|Value .* out of range|.*not allowed|"
    r"Command rejected).*$"
)


class ArubaDriver(Driver):
    vendor = "aruba"

    def open(self) -> None:
        t = self.target
        try:
            self.conn = ConnectHandler(
                device_type="hp_procurve",
                host=t.host,
                port=t.port,
                username=t.username,
                password=t.password,
                conn_timeout=t.timeout,
                auth_timeout=t.timeout,
                banner_timeout=t.timeout,
                fast_cli=True,
                allow_agent=False,
                use_keys=False,
            )
        except Exception as exc:  # noqa: BLE001 - mapped to a French report
            raise connection_error(exc, t) from exc
        watch_session(self.conn)

    def read(self) -> Snapshot:
        try:
            return Snapshot(self.conn.send_command("show running-config", read_timeout=60))
        except LOST as exc:
            raise SessionLost(f"session perdue pendant la lecture : {exc}") from exc

    def push(self, commands: list[str]) -> str:
        try:
            return self.conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=60)
        except ConfigInvalidException as exc:
            with contextlib.suppress(LOST):
                self.conn.exit_config_mode()
            raise rejected(exc) from exc
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'envoi : {type(exc).__name__}") from exc

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.disconnect()
