"""What the diagnosis reports: findings, each a cause, a symptom or a note."""

from __future__ import annotations

from dataclasses import dataclass

#: A cause is something to fix; a symptom follows from causes (``because_of``); a note informs.
KINDS = ("cause", "symptom", "note")


@dataclass(frozen=True)
class Finding:
    """What a report says: a cause or a symptom, its evidence and what to change."""

    id: str
    severity: str
    title: str
    evidence: tuple[str, ...] = ()
    recommendation: str = ""
    kind: str = "cause"
    explains: int = 0  # causes: failure events attributed to this cause (each to one cause)
    because_of: tuple[str, ...] = ()  # symptoms: the causes they come from

    def to_dict(self) -> dict[str, object]:
        """The finding as ``findings[]`` of the wsdiag/1 document."""
        return {
            "id": self.id,
            "severity": self.severity,
            "title": self.title,
            "evidence": list(self.evidence),
            "recommendation": self.recommendation,
            "kind": self.kind,
            "explains": self.explains,
            "because_of": list(self.because_of),
        }
