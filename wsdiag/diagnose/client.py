"""What the log says about the miner's WebSocket client, as far as the diagnosis needs it.

PubSub or Hermes (``Summary.client``), the forks named by the start banners
(``Summary.forks``), LISTEN requests the miner sent in their redacted form
(``Summary.redacted_listens``: mpforce1's ``redact_secrets=True`` sends the log's copy to
Twitch, FORKS-2026.md 1.7) and whether reconnects can be counted at all
(``Summary.reconnects_unknown``: an INFO log of a Hermes miner shows none).
"""

from __future__ import annotations

from dataclasses import dataclass

from wsdiag.summary.summary import Summary

#: Forks that log some error lines at most once per interval: their failure counts are lower
#: bounds (FORKS-2026.md 4: Armi1014's PubSub pool logs each error text once per 30 s, and
#: ping/pipe/timeout/TLS texts once per 120 s).
THROTTLING_FORKS: dict[str, str] = {
    "armi1014": "logs each PubSub error text at most once per 30 s (ping pong, broken pipe, "
    "timeout and TLS errors once per 120 s)",
}
#: mpforce1's Hermes pool: subscriptions per client, and no cap on the number of clients.
HERMES_SUBSCRIPTIONS_PER_CLIENT = 50


@dataclass(frozen=True)
class ClientFacts:
    """What the log says about the client (see the module doc)."""

    client: str | None  # "pubsub" | "hermes" | "mixed" | None
    forks: dict[str, str | None]  # fork name -> version, from the start banners
    redacted_listens: int
    reconnects_unknown: str | None

    @property
    def hermes(self) -> bool:
        """Only Hermes connections in the log."""
        return self.client == "hermes"

    @property
    def connections_word(self) -> str:
        """What a pool's connections are called: `Hermes`, `PubSub` (also when the log does not
        say) or plain `WebSocket` for a log of both."""
        return {"hermes": "Hermes", "mixed": "WebSocket"}.get(self.client or "", "PubSub")

    @property
    def throttled_by(self) -> tuple[str, str, str | None] | None:
        """(fork, what it throttles, version) when the failure counts are lower bounds.

        A throttling fork throttles its PubSub pool's lines, so a log of its Hermes client
        alone is counted in full."""
        if self.client == "hermes":
            return None
        for name, version in sorted(self.forks.items()):
            what = THROTTLING_FORKS.get(name.lower())
            if what is not None:
                return name, what, version
        return None

    @property
    def counts_are_lower_bounds(self) -> bool:
        return self.throttled_by is not None


def client_facts(s: Summary) -> ClientFacts:
    """The client facts of a finished summary."""
    return ClientFacts(s.client, dict(s.forks), s.redacted_listens, s.reconnects_unknown)
