"""Value types that flow from the parser to the analyzer and reporters.

Python 3.11 looks every ``Kind.X`` or ``FailureClass.X`` up through ``EnumType.__getattr__``'s
slot hook, ~100 ns a lookup against ~10 for a module global: the code that runs for every record
read (summary, outages, dedupe, the memo replay, LISTEN bursts) binds the members it tests to
module globals once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from wsdiag.common.choices import StrEnum


class FailureClass(StrEnum):
    """A failure's class in the JSON contract; members are their names (``"ping_pong"``), in
    report order."""

    PING_PONG = "ping_pong"
    PONG_TIMEOUT = "pong_timeout"
    PING_STALLED = "ping_stalled"
    BROKEN_PIPE = "broken_pipe"
    SSL = "ssl"
    CONNECTION_RESET = "connection_reset"
    TIMEOUT = "timeout"
    DNS = "dns"
    NO_INTERNET = "no_internet"
    RECONNECT_REQUESTED = "reconnect_requested"
    BAD_AUTH = "bad_auth"
    REJECTED = "rejected"
    OTHER = "other"


#: Failure classes of the JSON contract, in report order.
FAILURE_CLASSES: tuple[FailureClass, ...] = tuple(FailureClass)

# -- the groups the diagnosis reasons about ------------------------------------------------------
#: The heartbeat failed: a close frame for a missed pong, or the miner's own watchdogs.
PING_CLASSES = (FailureClass.PING_PONG, FailureClass.PONG_TIMEOUT, FailureClass.PING_STALLED)
#: The miner noticed a silent socket.
WATCHDOG_CLASSES = (FailureClass.PONG_TIMEOUT, FailureClass.PING_STALLED)
#: The host itself could not reach the internet.
OFFLINE_CLASSES = (FailureClass.DNS, FailureClass.NO_INTERNET)
#: A socket dropped or timed out.
LINK_CLASSES = (FailureClass.BROKEN_PIPE, FailureClass.CONNECTION_RESET, FailureClass.TIMEOUT)
#: Everything the network (or TLS) between the host and Twitch can cause.
NETWORK_CLASSES = (
    FailureClass.BROKEN_PIPE,
    FailureClass.SSL,
    FailureClass.CONNECTION_RESET,
    FailureClass.TIMEOUT,
    FailureClass.DNS,
    FailureClass.NO_INTERNET,
)
#: Failures that do not say a connection failed to come up: Twitch asking for a reconnect, and
#: LISTEN answers on a socket that stays open.
NOT_CONNECTION_FAILURES = (FailureClass.RECONNECT_REQUESTED, FailureClass.BAD_AUTH)

class Kind(str, Enum):
    """What a WebSocket-related record says happened."""

    ERROR = "error"  # `#N - WebSocket error: <text>`: a failure event on its own
    ECHO = (
        "echo"  # id-less repeat of an error (websocket-client `- goodbye`, `error from callback`)
    )
    FAILURE = "failure"  # single-line failures: no internet, PONG/PING watchdogs, RECONNECT
    LISTEN_ERROR = "listen_error"  # `Error while trying to listen for a topic: ERR_X` (no #N)
    RESPONSE_ERROR = "response_error"  # `#N - Received: {"type":"RESPONSE","error":"ERR_X"...}`
    BADAUTH_HINT = "badauth_hint"  # `Received the ERR_BADAUTH error ... cookies/<user>.pkl`
    CLOSED = "closed"
    RECONNECT = "reconnect"
    LISTEN = "listen"  # `Send: {"type":"LISTEN",...}` with topics
    STREAMERS = "streamers"  # `Loading data for N streamers`
    BANNER = "banner"  # `Twitch Channel Points Miner-1.3.0 (fork by mpforce1)`
    OTHER = "other"  # a WebSocket record that carries nothing we count (PING/PONG/MESSAGE...)


@dataclass(frozen=True, slots=True)
class Line:
    """One physical log line split into its layout prefix and message."""

    layout: str | None  # file, console, less or bare; None: not a record
    time: datetime | None
    level: str | None
    func: str | None
    message: str
    module: str | None = None  # the logger's name (file layout)


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and one Record is
# built per line read (line_reader.at replays most of them): 1.6 µs instead of 0.25. Nothing
# changes a Record once built, and nothing hashes one.
@dataclass(slots=True)
class Record:
    """A WebSocket-related record, built only for the lines that matter."""

    kind: Kind
    time: datetime | None
    conn: int | None
    cls: str | None = None  # failure class for ERROR/ECHO/FAILURE/LISTEN_ERROR/RESPONSE_ERROR
    text: str = ""  # redacted message text (the error text for ERROR/ECHO)
    key: str = ""  # dedupe key: records with one key may repeat one event
    topics: tuple[str, ...] = ()
    number: int | None = None  # streamer count for STREAMERS
    # What the line tells about the miner (FORKS-2026.md): "hermes" or "pubsub" when its wording
    # or shape belongs to one client only; the Hermes client's uuid after `#N`; the fork and
    # version of a start banner; "C" when mpforce1's logger variant C put a space before it.
    client: str | None = None
    uuid: str | None = None
    fork: tuple[str, str | None] | None = None
    variant: str | None = None
    # A PubSub LISTEN sent as its redacted log copy (`"auth_token":"REDACTED"`, topics as a
    # string); an id-bearing line the anonymiser emptied (`Received: REDACTED`).
    redacted: bool = False
    anonymised: bool = False
    # A Hermes line logged at DEBUG level (its level, or a wording only DEBUG calls use, in a
    # layout without levels): the log would show Hermes' reconnect lines.
    debug: bool = False


@dataclass(frozen=True, slots=True)
class FailureEvent:
    """One counted failure, after websocket-client echoes were folded into their error."""

    time: datetime | None
    conn: int | None
    cls: str
    message: str
    seq: int = field(default=0, compare=False)

    def to_dict(self) -> dict[str, object]:
        """``{"time", "connection", "class", "message"}``: a line of ``wsdiag events``."""
        return {
            "time": None if self.time is None else self.time.isoformat(timespec="seconds"),
            "connection": self.conn,
            "class": self.cls,
            "message": self.message,
        }
