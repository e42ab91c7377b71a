"""Reading messages by a template table: :class:`Table` turns a tuple of templates into the
regexes :meth:`Table.to_record` tries, indexed by the literal a message starts with, and into the
:class:`Sieve` the fast path's line filters are built from.

Templates are tried in table order and the first that matches decides. A template anchored at
the start of its text can only match a text that starts with its literal, so each text is tried
against the templates whose literal it starts with (found by its first few characters) and
those that are not anchored, still in table order: the same record as trying them all, for a
dictionary look-up instead of a regex per stage.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from wsdiag.parse import forks
from wsdiag.parse.forks import UUID
from wsdiag.parse.records import Kind, Line, Record
from wsdiag.parse.template import ID_SEPS, LEADS, USER, Match, Place, Template
from wsdiag.read.shapes import Shape, shape

#: Places whose templates match at the start of their text (the others are searched).
ANCHORED = (Place.AFTER_ID, Place.START, Place.OWN_ID)
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


def _prefixes(leads: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The connection prefix and the console user's name, each after one of ``leads``."""
    lead = "(?:" + "|".join(re.escape(x) for x in sorted(leads, key=len, reverse=True)) + ")"
    # Variant C with `console_username=True` writes `[name]  #0` (two spaces).
    user = "(?:" + USER + "(?:" + lead + "))?"
    conn = re.compile(lead + user + r"#(?P<conn>\d{1,12}) - (?:(?P<uuid>" + UUID + r") - )?", re.ASCII)
    return conn, re.compile(lead + user)


@dataclass(frozen=True)
class _Stage:
    """Consecutive templates tried as one regex (only anchored ones share a stage)."""

    templates: dict[int, Template]  # by the number of its outer group in `regex`
    regex: re.Pattern[str]
    search: bool  # ANYWHERE/END: searched, not matched at the start
    debug: bool
    funcs: frozenset[str | None] | None


def _stage(group: list[Template]) -> _Stage:
    # Each template is an outer group: a match's `lastindex` names it, whatever groups it holds.
    # Named groups get the template's number (two OWN_ID templates both name `conn`); their
    # values are read by the template's own regex.
    numbers, n = [], 1
    for t in group:
        numbers.append(n)
        n += 1 + re.compile(t.regex).groups
    alternatives = ["(" + _NAMED_GROUP.sub(rf"(?P<\g<1>_{i}>", t.regex) + ")" for i, t in enumerate(group)]
    return _Stage(
        dict(zip(numbers, group, strict=True)),
        re.compile("|".join(alternatives)),
        group[0].place not in ANCHORED,
        group[0].debug,
        group[0].funcs,
    )


def _stages(templates: list[Template]) -> tuple[_Stage, ...]:
    groups: list[list[Template]] = []
    for t in templates:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and t.place in ANCHORED
            and last.place in ANCHORED
            and (last.debug, last.funcs) == (t.debug, t.funcs)
        ):
            groups[-1].append(t)
        else:
            groups.append([t])
    return tuple(_stage(g) for g in groups)


class _Index:
    """The stages to try on a text, by its first ``width`` characters: the anchored templates
    whose literal starts so, with every template that is not anchored, in table order.

    A key's stages are compiled when a text first has that key: a run meets few of the keys,
    and compiling every key's regexes at start-up costs milliseconds."""

    def __init__(self, templates: list[Template], indexed: bool = True) -> None:
        anchored = [t for t in templates if t.place in ANCHORED]
        self.width = min((len(t.text) for t in anchored), default=0) if indexed else 0
        self._templates = templates
        self._keys = frozenset(t.text[: self.width] for t in anchored)
        self._by_key: dict[str, tuple[_Stage, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._templates)

    def stages(self, text: str) -> tuple[_Stage, ...]:
        """The stages that may match ``text``, in table order."""
        key = text[: self.width]
        found = self._by_key.get(key)
        if found is not None:
            return found
        if key in self._keys:  # only known keys are kept: the texts' are any number
            found = self._by_key[key] = _stages(
                [t for t in self._templates if t.place not in ANCHORED or t.text.startswith(key)]
            )
            return found
        return self._other

    @functools.cached_property
    def _other(self) -> tuple[_Stage, ...]:
        """The stages of a text that no anchored template's literal starts."""
        return _stages([t for t in self._templates if t.place not in ANCHORED])


def _find(
    index: _Index,
    text: str,
    line: Line,
    conn: int | None,
    ids: bool = False,
    own: bool = False,
) -> tuple[bool, Record | None]:
    """The record of the first template of ``index`` found in ``text`` (found, record). Lines
    with an id (``ids``) are read at every level; others at DEBUG only by `debug` templates."""
    debug = line.level == "DEBUG" and not ids
    for stage in index.stages(text):
        if (debug and not stage.debug) or (stage.funcs is not None and line.func not in stage.funcs):
            continue
        m = stage.regex.search(text) if stage.search else stage.regex.match(text)
        if m is None:
            continue
        assert m.lastindex is not None
        t = stage.templates[m.lastindex]
        uuid = None
        if own:
            found = re.compile(t.regex).match(text)
            assert found is not None
            conn = int(found.group("conn"))
            uuid = found.groupdict().get("uuid")
        return True, t.read(t, Match(text, m.start(), m.end(), line.time, conn, uuid))
    return False, None
# -- what a line filter must look for ---------------------------------------------------------


@dataclass(frozen=True)
class Sieve:
    """What the table tells a line filter: a line with none of these cannot yield a record."""

    starts: tuple[str, ...]  # a message starting with one may matter (at any level but DEBUG)
    texts: tuple[str, ...]  # ... or holding one
    debug_starts: tuple[str, ...]  # a DEBUG message starting with one may matter
    debug_texts: tuple[str, ...]  # ... or holding one
    funcs: tuple[str, ...]  # a line from one of these functions may be an echo
    echo_starts: tuple[str, ...]  # where no function is named (less), a message starting so ...
    echo_texts: tuple[str, ...]  # ... or holding one of these may be an echo
    id_seps: tuple[str, ...]  # `#N` followed by one is an id (and the line may matter)
    alive: tuple[Shape, ...]  # after a known `#N` and AFTER_DIGITS: payloads that only say "alive"
    # ... and of them, those that say nothing of the client either (no Hermes frame): what the
    # filters skip before the summary knows the log is a Hermes DEBUG log (see _alive_record)
    bare_alive: tuple[Shape, ...]
    listen: str  # after `#N - `: the start of a LISTEN request (read as bursts)


def _unique(xs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(xs))


def sieve_of(templates: tuple[Template, ...], leads: tuple[str, ...] = LEADS) -> Sieve:
    """What a filter must look for to never skip a line one of ``templates`` reads."""
    starts: list[str] = [lead + "[" for lead in leads]  # a console user's name
    texts: list[str] = []
    debug_starts: list[str] = []
    debug_texts: list[str] = []
    echo_starts: list[str] = []
    echo_texts: list[str] = []
    funcs: set[str] = set()
    seps = list(ID_SEPS)
    alive: list[Shape] = []
    bare_alive: list[Shape] = []
    bursts: list[str] = []
    for t in templates:
        if t.place is Place.AFTER_ID:
            alive += [shape(payload) for payload in t.alive]
            bare_alive += [shape(payload) for payload in t.alive if payload not in forks.HERMES_ALIVE]
            bursts += [t.burst] if t.burst else []
            continue
        at_start = t.place in (Place.START, Place.OWN_ID)
        if t.place is Place.OWN_ID:
            seps += t.id_seps
            if t.text.startswith("#"):
                continue  # the `#N` check finds it
        found = [lead + t.text for lead in leads] if at_start else list(t.texts)
        if t.funcs is not None:
            funcs |= {f for f in t.funcs if f is not None}
            if None in t.funcs:
                (echo_starts if at_start else echo_texts).extend(found)
            continue
        (starts if at_start else texts).extend(found)
        if t.debug or t.place is Place.OWN_ID:  # an own id is read at every level
            (debug_starts if at_start else debug_texts).extend(found)
    if debug_starts:
        debug_starts += [lead + "[" for lead in leads]
    assert len(bursts) == 1, "the fast path reads bursts of one request"
    return Sieve(
        _unique(starts), _unique(texts), _unique(debug_starts), _unique(debug_texts), tuple(sorted(funcs)),
        _unique(echo_starts), _unique(echo_texts), _unique(seps), tuple(alive), tuple(bare_alive),
        bursts[0],
    )




class Table:
    """A table of templates, ready to read messages by (:meth:`to_record`) and to build line
    filters from (:attr:`sieve`)."""

    def __init__(
        self, templates: tuple[Template, ...], leads: tuple[str, ...] = LEADS, indexed: bool = True
    ) -> None:
        """``indexed=False`` tries every template on every text (what the index must equal)."""
        self.templates = templates
        self._conn, self._user = _prefixes(leads)
        self._after_id = _Index([t for t in templates if t.place is Place.AFTER_ID], indexed)
        self._own_id = _Index([t for t in templates if t.place is Place.OWN_ID], indexed)
        idless = [t for t in templates if t.place not in (Place.AFTER_ID, Place.OWN_ID)]
        self._idless = _Index(idless, indexed)
        self._debug = any(t.debug for t in templates if t.place is not Place.AFTER_ID)
        self.sieve = sieve_of(templates, leads)
        alive = [shape(p).regex for t in templates for p in t.alive]
        self._alive = re.compile("|".join(alive)) if alive else None
        # The first character of a message that may hold a lead or a console user's name, and of
        # one that may start with `#N`: the prefix regexes run only there.
        self._lead_starts = frozenset(x[:1] for x in leads if x) | {"["}
        self._id_starts = self._lead_starts | {"#"}

    @functools.cached_property
    def _hermes_alive(self) -> re.Pattern[str] | None:
        """The alive payloads only Hermes sends: compiled when the first alive line without a
        uuid is read (an INFO log has none; compiling it cost every start-up ~0.4 ms)."""
        hermes = [shape(p).regex for t in self.templates for p in t.alive if p in forks.HERMES_ALIVE]
        return re.compile("|".join(hermes)) if hermes else None

    def to_record(self, line: Line) -> Record | None:
        """Build the WebSocket record for one recognised line, or None when it carries nothing."""
        msg = line.message
        first = msg[:1]
        # mpforce1's logger variant C: a space before the message, or two after `[name]`.
        variant = "C" if first == " " or (first == "[" and _VARIANT_C_USER.match(msg)) else None
        ws = self._conn.match(msg) if first in self._id_starts else None
        if ws:
            conn = int(ws.group("conn"))
            rest = msg[ws.end() :]
            if self._alive is not None and self._alive.match(rest):
                # What the filters may skip for a known id says nothing but the id, anywhere (and
                # that the client is Hermes': an excerpt of keepalives is a Hermes log).
                return self._alive_record(line, conn, ws["uuid"] is not None, rest, variant)
            found, rec = _find(self._after_id, rest, line, conn, ids=True)
            if found:
                return forks.noted(rec, line, ws["uuid"], variant)
        # An own id's line never reads as a template after `#N - ` (that is what makes the id its
        # own: test_templates checks), so it is looked for only where none was found.
        lead = self._user.match(msg) if first in self._lead_starts else None
        text = msg[lead.end() :] if lead else msg
        if self._own_id:
            found, rec = _find(self._own_id, text, line, None, ids=True, own=True)
            if found:
                return forks.noted(rec, line, None, variant)
        if ws:
            return forks.noted(Record(Kind.OTHER, line.time, conn), line, ws["uuid"], variant)
        # A DEBUG record without #N is never about the PubSub pool (old 2021 `Send:`/`Received:`
        # lines included) unless a template says so, which keeps boring DEBUG lines free to skip.
        if line.level == "DEBUG" and not self._debug:
            return None
        rec = _find(self._idless, text, line, None)[1]
        return forks.noted(rec, line, None, variant)

    def _alive_record(
        self, line: Line, conn: int, uuid: bool, rest: str, variant: str | None
    ) -> Record:
        """An alive payload's record: the id, and the client when the payload or the id's uuid is
        Hermes'. Not the uuid itself: the filters skip alive lines of known ids, so a uuid seen
        here and nowhere else would count a reconnect in one chunking and not in another."""
        if uuid or (self._hermes_alive is not None and self._hermes_alive.match(rest)):
            rec = forks.noted(Record(Kind.OTHER, line.time, conn, client="hermes"), line, None, variant)
            assert rec is not None
            return rec
        return Record(Kind.OTHER, line.time, conn)


_VARIANT_C_USER = re.compile(USER + " ")
