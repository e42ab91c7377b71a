"""wsdiag's version, and the name of the JSON schema its reports follow (add keys, never remove)."""

__version__ = "0.1.0"
SCHEMA = "wsdiag/1"
