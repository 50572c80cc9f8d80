"""Driver interface and the errors every driver maps its library's exceptions to."""

from __future__ import annotations

import contextlib
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
    pass


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


class Driver:
    vendor = ""

    def __init__(self, target: Target) -> None:
        self.target = target

    def open(self) -> None:
        raise NotImplementedError

    def read(self) -> Snapshot:
        raise NotImplementedError

    def push(self, commands: list[str]) -> str:
        """Apply configuration commands; raise PushRejected or SessionLost."""
        raise NotImplementedError

    def push_plain(self, commands: list[str]) -> str:
        """Apply commands line by line over the CLI (used to restore)."""
        return self.push(commands)

    def restore_native(self) -> bool:
        """Vendor rollback mechanism if any (napalm ``rollback`` on IOS)."""
        return False

    def save(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Driver:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):  # closing a dead session must not mask the error
            self.close()
