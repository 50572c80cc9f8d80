"""Driver interface and the errors every driver maps its library's exceptions to."""

from __future__ import annotations

import contextlib
import re
import socket
from dataclasses import dataclass, field

import paramiko
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)


@dataclass
class Target:
    host: str
    port: int = 22
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 20.0


class DriverError(RuntimeError):
    """Base of the errors below; messages are in French, for the report."""


class ConnectionFailed(DriverError):
    pass


class SessionLost(DriverError):
    pass


class PushRejected(DriverError):
    """The device refused lines; ``lines``: each refusal in the device's own words."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = list(lines or [])


def refused_lines(output: str, pattern: str, commands: list[str]) -> list[str]:
    """The device's refusals in ``output`` (lines matching ``pattern``), each with the
    command it answered when the output echoes it: ``« cmd » : message``."""
    sent = {c.strip() for c in commands}
    out: list[str] = []
    previous = ""
    for line in output.splitlines():
        text = line.strip()
        if re.match(pattern, line):
            out.append(f"« {previous} » : {text}" if previous in sent else text)
        elif text and set(text) != {"^"} and not text.startswith("^"):
            previous = text
    return out


def rejected(exc: BaseException, where: str = "") -> PushRejected:
    """netmiko's ``ConfigInvalidException`` as a French report with the device's words."""
    m = re.search(r"at command: (.*), matched error: (.*)$", str(exc), re.S)
    text = f"« {m.group(1).strip()} » : {m.group(2).strip()}" if m else str(exc)
    return PushRejected(f"ligne refusée par le commutateur{where} : {text}", [text])


@dataclass
class Snapshot:
    running: str  # what is backed up (running config, plus ``show vlan brief`` on IOS)
    vlan_brief: str | None = None


def connection_error(exc: BaseException, target: Target) -> DriverError:
    where = f"{target.host}:{target.port}"
    if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
        return ConnectionFailed(f"authentification refusée par {where}")
    if isinstance(exc, NetmikoTimeoutException | TimeoutError | socket.timeout):
        return ConnectionFailed(f"{where} injoignable (délai dépassé)")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionFailed(f"{where} injoignable (connexion refusée)")
    text = str(exc)
    if "Authentication" in text or "authentication" in text:
        return ConnectionFailed(f"authentification refusée par {where}")
    return ConnectionFailed(f"{where} injoignable : {type(exc).__name__}: {text[:200]}")


LOST = (OSError, EOFError, paramiko.SSHException, ReadException, ReadTimeout)


def session_closed(channel: paramiko.Channel | None) -> bool:
    """True once the peer has closed the SSH channel or the transport under it died."""
    if channel is None or channel.closed or channel.eof_received:
        return True
    transport = channel.get_transport()
    return transport is None or not transport.is_active()


def watch_session(conn) -> None:
    """Transport watchdog on a netmiko connection: a read on a session the switch has
    closed raises ``ReadException`` at once instead of waiting out its read timeout.

    netmiko's ``SSHChannel`` reads only when paramiko reports data ready; once the peer
    has closed the channel nothing is ever ready, so every read loops until its
    ``read_timeout`` (90 s for napalm's ``copy ... running-config``) although the session
    is known dead. The closed state is sampled *before* the read: paramiko queues the
    last data before it marks the channel closed, so an empty read after a closed sample
    means nothing is left, and whatever came before the close is still returned. A live
    but slow switch is not affected (the vendor timeouts still apply); a peer that
    vanished without closing TCP is still only seen by those timeouts."""
    channel = getattr(conn, "channel", None)
    read_channel = getattr(channel, "read_channel", None)
    if read_channel is None or getattr(channel, "amico_watchdog", False):
        return

    def watched() -> str:
        closed = session_closed(conn.remote_conn)
        data = read_channel()
        if not data and closed:
            raise ReadException("session fermée par le commutateur")
        return data

    channel.read_channel = watched
    channel.amico_watchdog = True


class Driver:
    vendor = ""

    def __init__(self, target: Target) -> None:
        self.target = target

    def open(self) -> None:
        raise NotImplementedError

    def read(self) -> Snapshot:
        raise NotImplementedError

    def run(self, command: str) -> str:
        """One read-only exec command (``show ...``) over the session: its output."""
        try:
            return self.conn.send_command(command, read_timeout=60)
        except LOST as exc:
            raise SessionLost(f"session perdue pendant « {command} » : {exc}") from exc

    def push(self, commands: list[str]) -> str:
        """Apply configuration commands; raise PushRejected or SessionLost."""
        raise NotImplementedError

    def push_plain(self, commands: list[str]) -> str:
        """Apply commands line by line over the CLI (used to restore)."""
        return self.push(commands)

    def restore_native(self) -> bool:
        """Vendor rollback mechanism if any (napalm ``rollback`` on IOS)."""
        return False

    def platform_model(self) -> str | None:
        """The hardware model the device reports, when the driver can read it."""
        return None

    def save(self) -> None:
        """Write the running config to startup, over the netmiko session (`self.conn`)."""
        try:
            self.conn.save_config()
        except LOST as exc:
            raise SessionLost(f"session perdue pendant l'enregistrement : {exc}") from exc

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Driver:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):  # closing a dead session must not mask the error
            self.close()
