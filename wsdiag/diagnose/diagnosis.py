"""The finished result of an analysis: the summary, its findings (causes first) and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wsdiag.diagnose.cascades import Cascades
from wsdiag.diagnose.client import client_facts
from wsdiag.diagnose.engine import diagnose
from wsdiag.diagnose.evidence import Evidence
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.health import Health
from wsdiag.diagnose.healthy import Change, changes
from wsdiag.diagnose.limits import Limits
from wsdiag.diagnose.minute_index import index_of
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.diagnose.timeline import Timeline, timeline
from wsdiag.durations import format_seconds
from wsdiag.summary.summary import Summary
from wsdiag.version import SCHEMA, __version__


@dataclass(frozen=True)
class Diagnosis:
    """The finished result of an analysis (see the module doc)."""

    summary: Summary
    findings: tuple[Finding, ...]
    limits: Limits
    thresholds: Thresholds
    timeline: Timeline = field(default_factory=lambda: Timeline(1, ()))
    cascades: Cascades = field(default_factory=Cascades)
    health: dict[int, Health] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    @classmethod
    def of(
        cls, summary: Summary, thresholds: Thresholds | None = None, bucket: int | None = None
    ) -> Diagnosis:
        """Diagnose a finished summary; ``bucket`` (minutes) overrides the timeline's bucket size."""
        idx = index_of(summary)  # the minutes read once, for the evidence and the timeline
        ev = Evidence.of(summary, thresholds or Thresholds(), idx=idx)
        return cls(
            summary,
            tuple(diagnose(ev)),
            ev.limits,
            ev.thresholds,
            timeline(summary, bucket, idx),
            ev.cascades,
            ev.health,
            tuple(changes(ev)),
        )

    def _limits(self) -> dict[str, Any]:
        return _limits_dict(self.limits, self.changes)

    @property
    def causes(self) -> tuple[Finding, ...]:
        """The causes found, most important first."""
        return tuple(f for f in self.findings if f.kind == "cause")

    @property
    def primary(self) -> Finding | None:
        """The cause to fix first (None when there is none)."""
        return next(iter(self.causes), None)

    @property
    def headline(self) -> str:
        """What the verdict line says when there is no cause: nothing at all, or nothing that a
        cause explains (unclassified errors, a storm of unknown origin)."""
        return "no problems found" if not self.findings else "no cause found"

    @property
    def verdict(self) -> str:
        """The worst severity of a cause: error or warning; ok when no cause is above info."""
        for sev in ("error", "warning"):
            if any(f.severity == sev for f in self.causes):
                return sev
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of schema wsdiag/1."""
        s = self.summary
        hours = s.span_hours
        pool = s.pool_size
        per_conn_topics = {str(c): len(cs.topics) for c, cs in sorted(s.conns.items()) if cs.topics}
        # A log that cannot show reconnects (reconnects.unknown): every reconnect count is null.
        reconnects_known = s.reconnects_unknown is None
        return {
            "schema": SCHEMA,
            "version": __version__,
            "verdict": self.verdict,
            # Which WebSocket client wrote the log: "pubsub", "hermes", "mixed"; null: unknown.
            "client": s.client,
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
                    # The fork and version of its start banner, the logger variant if visible.
                    "fork": None
                    if st.fork is None and st.logger is None
                    else {"name": st.fork, "version": st.fork_version, "logger": st.logger},
                }
                for st in s.inputs.values()
            ],
            "span": {
                "first": _iso(s.first),
                "last": _iso(s.last),
                "hours": None if hours is None else round(hours, 2),
                "year_assumed": s.year_assumed,
            },
            # --since/--until: only records in [since, until) were analysed; null: whole log.
            "window": None
            if s.window is None
            else {"since": _iso(s.window[0]), "until": _iso(s.window[1])},
            "connections": {
                "ids": sorted(s.ids),
                "distinct": len(s.ids),
                "pool_size": pool,
                "per_connection": {
                    str(c): {
                        "by_class": {k: v for k, v in sorted(cs.by_class.items()) if v},
                        "failures": sum(cs.by_class.values()),
                        "reconnects": s.conn_reconnects(c) if reconnects_known else None,
                        "closes": cs.closes,
                        "topics": len(cs.topics) if cs.topics else None,
                        "health": self.health[c].to_dict() if c in self.health else None,
                    }
                    for c, cs in sorted(s.conns.items())
                },
            },
            "failures": {
                "total": s.failures_total,
                "without_connection": s.idless_failures,
                "by_class": s.class_counts(),
                # A fork that throttles its error lines (Armi1014): every count is "at least".
                "counts_are_lower_bounds": client_facts(s).counts_are_lower_bounds,
            },
            "reconnects": {
                # null when the log cannot show them (`unknown` says why).
                "count": s.reconnect_count,
                "per_hour": None
                if not hours or s.reconnect_count is None
                else round(s.reconnect_count / hours, 2),
                "unknown": s.reconnects_unknown,
            },
            "closes": s.closes,
            "topics": {
                "listened": len(s.topics) if s.topics else None,
                "per_connection": per_conn_topics,
                # More distinct topics than analyze.MAX_TOPICS: the counts are lower bounds.
                "capped": s.topics_capped,
                # Ids replaced by small integers: topic and streamer counts hold for this run only.
                "anonymised": s.anonymised,
                # LISTENs sent as their redacted log copy (mpforce1 `redact_secrets=True`).
                "redacted_listens": s.redacted_listens,
                "streamers": self.limits.streamers,
                "estimate": None
                if pool is None
                else {
                    "low": (pool - 1) * self.thresholds.topics_per_connection + 1,
                    "high": pool * self.thresholds.topics_per_connection,
                },
            },
            "limits": self._limits(),
            "timeline": [
                {
                    "start": _iso(b.start),
                    "by_class": dict(b.by_class),
                    "failures": b.failures,
                    "reconnects": b.reconnects if reconnects_known else None,
                    "closes": b.closes,
                    "connections": b.connections,
                }
                for b in self.timeline.buckets
            ],
            "timeline_info": {
                "bucket": self.timeline.label,
                "bucket_minutes": self.timeline.bucket_minutes,
                "requested_minutes": self.timeline.requested,
                "widened": self.timeline.widened,
                # Events with no time (or beyond the minute cap): not in any bucket.
                "untimed": {
                    "by_class": dict(self.timeline.untimed),
                    "failures": sum(self.timeline.untimed.values()),
                    "reconnects": self.timeline.untimed_reconnects if reconnects_known else None,
                    "closes": self.timeline.untimed_closes,
                },
            },
            "cascades": [c.to_dict() for c in self.cascades.items],
            "cascades_explain": {
                "failures": self.cascades.explained,
                "of": self.cascades.total,
                "share": None
                if self.cascades.share is None
                else round(self.cascades.share, 4),
                "connections_needed": self.cascades.needed,
            },
            "unknown": unknown_rows(s),
            # Inputs that repeat others (one run's console and file log), counted once.
            "same_run": [n.to_dict() for n in s.same_run],
            "diagnosis": {
                "primary": None if self.primary is None else self.primary.id,
                "causes": [f.id for f in self.causes],
            },
            "findings": [f.to_dict() for f in self.findings],
        }


def span_words(s: Summary) -> str:
    """The log's time span as every report prints it (`53m`, `3h01m`), or `span unknown`."""
    hours = s.span_hours
    return "span unknown" if hours is None else format_seconds(hours * 3600)


def unknown_rows(s: Summary) -> list[dict[str, Any]]:
    """Unknown error templates, most frequent first, each with one (redacted) example."""
    rows = [
        {"template": tpl, "count": int(str(entry[0])), "example": str(entry[1])[:300]}
        for tpl, entry in s.unknown.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["template"]))


def _limits_dict(lim: Limits, changes: tuple[Change, ...]) -> dict[str, Any]:
    return {
        "max_connections": lim.max_connections,
        "max_topics": lim.max_topics,
        "topics_per_streamer": lim.topics_per_streamer,
        "topics_per_streamer_observed": lim.topics_per_streamer_observed,
        "user_topics": lim.user_topics,
        "user_topics_observed": lim.user_topics_observed,
        "max_streamers": lim.max_streamers,
        "streamers": lim.streamers,
        "topic_kinds": dict(lim.topic_kinds),
        "costly_settings": list(lim.costly_settings),
        "recommendation": lim.advice(),
        "changes": [
            {"metric": c.metric, "this_log": c.now, "healthy": c.healthy, "ok": c.ok}
            for c in changes
        ],
    }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat(timespec="seconds")
