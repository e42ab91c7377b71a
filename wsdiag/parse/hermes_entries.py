"""The template table's entries for the lines only Hermes clients and the 2026 forks write
(FORKS-2026.md): Hermes' reconnect, stale, subscription and authentication lines after `#N - `,
its irregular lines that hold the id themselves, the start banner that names the fork, and the
anonymiser's streamer names (`Streamer1`).
:mod:`wsdiag.parse.templates` orders them.
"""

from __future__ import annotations

from wsdiag.parse import forks
from wsdiag.parse.forks import UUID
from wsdiag.parse.records import FailureClass, Kind
from wsdiag.parse.template import EXAMPLE_UUID, Place, Template, with_text

#: After the connection prefix `#N - <uuid> - `, in the order they are tried.
CONNECTION: tuple[Template, ...] = (
    # Hermes HP5 (DEBUG: a console never shows it)
    Template(
        "reconnecting_hermes", Place.AFTER_ID, "Reconnecting to Twitch Hermes server", r"\b", Kind.RECONNECT,
        client="hermes", level="DEBUG", func="__reconnect",
        example=f"#3 - {EXAMPLE_UUID} - Reconnecting to Twitch Hermes server in ~30 seconds",
    ),
    # Hermes HP6, then T4 (T13, the HTTP side's line without an id, is not about the WebSockets)
    Template(
        "no_internet_hermes", Place.AFTER_ID, "No internet connection available! Retrying websocket", "",
        Kind.FAILURE, FailureClass.NO_INTERNET, read=with_text, client="hermes", level="WARNING",
        func="__reconnect",
        example="#3 - No internet connection available! Retrying websocket reconnection after 2m",
    ),
    # Hermes HC10-HC12: the stale check
    Template(
        "stale", Place.AFTER_ID, "Stale due to ", read=forks.stale, level="DEBUG", func="stale",
        example=f"#3 - {EXAMPLE_UUID} - Stale due to no recent messages",
    ),
    # Armi1014's Hermes pool: a subscription Twitch refused
    Template(
        "subscription_error", Place.AFTER_ID, "Subscription error for ", "", Kind.RESPONSE_ERROR,
        FailureClass.REJECTED,
        key="listen:subscribe", read=with_text, client="hermes", level="ERROR", func="on_subscribe",
        example=f"#3 - {EXAMPLE_UUID} - Subscription error for raid.123456: ERR_BADTOPIC",
    ),
    # Hermes HP7
    Template(
        "auth_error", Place.AFTER_ID, "Authentication error", r"\b", Kind.ERROR, FailureClass.BAD_AUTH,
        key="listen:ERR_BADAUTH", read=forks.auth_error, level="ERROR", func="on_authenticate",
        example=f"#3 - {EXAMPLE_UUID} - Authentication error, <AuthenticateResponse>",
    ),
)

#: Anywhere in a message: the start banner.
STARTUP: tuple[Template, ...] = (
    # The start banner (FORKS-2026.md 1.8, 4): `-1.3.0 (fork by mpforce1)`, ` v2-2.0.4 (fork by
    # rdavydov)`, ` v2.1.6 (fork by Armi1014)`
    Template(
        "banner", Place.ANYWHERE, "Twitch Channel Points Miner", "", Kind.BANNER, read=forks.banner,
        func="__init__", example="Twitch Channel Points Miner-1.3.0 (fork by mpforce1)",
    ),
)

#: mpforce1's anonymiser names streamers `Streamer1` (ConsistentAnonymiser) or `Streamer 37`
#: (RandomAnonymiser) in the miner's `Streamer(username=..., ...)` (FORKS-2026.md 1.7): the log
#: is anonymised, as its small-integer topic ids say where it has LISTENs.
ANONYMISED: tuple[Template, ...] = (
    Template(
        "anonymised_streamer", Place.ANYWHERE, "Streamer(username=Streamer", r" ?\d{1,9}[,)]",
        read=forks.anonymised,
        example="🚀  +10 → Streamer(username=Streamer1, channel_id=1, channel_points=320)",
    ),
)

#: Lines whose id is not followed by ` - ` (FORKS-2026.md 1.2).
OWN_ID: tuple[Template, ...] = (
    # Hermes lines whose id is not followed by ` - ` (FORKS-2026.md 1.2): HC2/HC3, HP4. (HC14,
    # `Hermes client opened: index=N, id='<uuid>'`, is not read: it is a DEBUG line without `#`,
    # which costs the filters a look into every DEBUG line (as an own-id entry it took the C
    # filter's scan of a 256 MiB PubSub DEBUG log from 0.2 s to 0.47 s), and it tells nothing
    # that the same log's DEBUG `#N - <uuid> - ` lines and reconnect line do not.)
    Template(
        "cannot_open", Place.OWN_ID, "#",
        r"(?P<conn>\d{1,12})(?: - (?P<uuid>" + UUID + r"))?: Cannot open Client",
        client="hermes", id_seps=(": ",), level="WARNING", func="open",
        example=f"#3 - {EXAMPLE_UUID}: Cannot open Client, wrong state: Closed",
    ),
    Template(
        "already_reconnecting", Place.OWN_ID, "#",
        r"(?P<conn>\d{1,12})(?: - (?P<uuid>" + UUID + r"))? already reconnecting",
        client="hermes", id_seps=(" already reconnecting",), level="DEBUG", func="__reconnect",
        example=f"#3 - {EXAMPLE_UUID} already reconnecting",
    ),
)
