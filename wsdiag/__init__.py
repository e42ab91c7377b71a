"""wsdiag: diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""

from wsdiag.version import SCHEMA, __version__

__all__ = ["SCHEMA", "__version__"]
