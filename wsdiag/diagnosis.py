"""The finished result of an analysis: the summary, its findings and limits, as one value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wsdiag import SCHEMA, __version__
from wsdiag.analyze import Summary
from wsdiag.findings import Finding, Limits, Thresholds, findings, limits


@dataclass(frozen=True)
class Diagnosis:
    summary: Summary
    findings: tuple[Finding, ...]
    limits: Limits
    thresholds: Thresholds

    @classmethod
    def of(cls, summary: Summary, thresholds: Thresholds | None = None) -> Diagnosis:
        th = thresholds or Thresholds()
        return cls(summary, tuple(findings(summary, th)), limits(summary, th), th)

    @property
    def verdict(self) -> str:
        """Worst severity found: error, warning, info or ok."""
        for sev in ("error", "warning", "info"):
            if any(f.severity == sev for f in self.findings):
                return sev
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of schema wsdiag/1."""
        s = self.summary
        hours = s.span_hours
        pool = s.pool_size
        per_conn_topics = {str(c): len(cs.topics) for c, cs in sorted(s.conns.items()) if cs.topics}
        return {
            "schema": SCHEMA,
            "version": __version__,
            "verdict": self.verdict,
            "inputs": [
                {
                    "path": st.path,
                    "layout": st.layout,
                    "lines": st.lines,
                    "records": st.records,
                    "unrecognized": st.unrecognized,
                    "continuation": st.continuation,
                    "too_long": st.too_long,
                    "blank": st.blank,
                    "implausible_ids": st.implausible_ids,
                    "unrecognized_samples": list(st.samples),
                    "read_error": st.read_error,
                }
                for st in s.inputs.values()
            ],
            "span": {
                "first": _iso(s.first),
                "last": _iso(s.last),
                "hours": None if hours is None else round(hours, 2),
                "year_assumed": s.year_assumed,
            },
            "connections": {
                "ids": sorted(s.ids),
                "distinct": len(s.ids),
                "pool_size": pool,
                "per_connection": {
                    str(c): {
                        "by_class": {k: v for k, v in sorted(cs.by_class.items()) if v},
                        "failures": sum(cs.by_class.values()),
                        "reconnects": cs.reconnects,
                        "closes": cs.closes,
                        "topics": len(cs.topics) if cs.topics else None,
                    }
                    for c, cs in sorted(s.conns.items())
                },
            },
            "failures": {
                "total": s.failures_total,
                "without_connection": s.idless_failures,
                "by_class": s.class_counts(),
            },
            "reconnects": {
                "count": s.reconnects,
                "per_hour": None if not hours else round(s.reconnects / hours, 2),
            },
            "closes": s.closes,
            "topics": {
                "listened": len(s.topics) if s.topics else None,
                "per_connection": per_conn_topics,
                "streamers": self.limits.streamers,
                "estimate": None
                if pool is None
                else {
                    "low": (pool - 1) * self.thresholds.topics_per_connection + 1,
                    "high": pool * self.thresholds.topics_per_connection,
                },
            },
            "limits": {
                "max_connections": self.limits.max_connections,
                "max_topics": self.limits.max_topics,
                "topics_per_streamer": self.limits.topics_per_streamer,
                "topics_per_streamer_observed": self.limits.topics_per_streamer_observed,
                "user_topics": self.limits.user_topics,
                "max_streamers": self.limits.max_streamers,
            },
            "unknown": [
                {"template": tpl, "count": int(entry[0]), "example": str(entry[1])}  # type: ignore[call-overload]
                for tpl, entry in sorted(s.unknown.items(), key=lambda kv: -int(kv[1][0]))  # type: ignore[call-overload]
            ],
            "findings": [
                {
                    "id": f.id,
                    "severity": f.severity,
                    "title": f.title,
                    "evidence": list(f.evidence),
                    "recommendation": f.recommendation,
                }
                for f in self.findings
            ],
        }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat(timespec="seconds")
