"""wsdiag: diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""

__version__ = "0.1.0"
SCHEMA = "wsdiag/1"
