"""Shapes from shapes: one after another (concat) and any of several (union), their common
beginnings shared, so that the C filter checks a prefix once (linefilter's alive payloads)."""

from __future__ import annotations

from wsdiag.read.shapes import Alt, Lit, Shape, Step, check

_Atom = tuple[str, object]


def _atoms(steps: tuple[Step, ...]) -> list[_Atom]:
    """Steps with their literals cut into bytes, so that shapes can share a prefix of one."""
    out: list[_Atom] = []
    for step in steps:
        out += [("byte", b) for b in step.data] if isinstance(step, Lit) else [("step", step)]
    return out


def _steps(atoms: list[_Atom]) -> tuple[Step, ...]:
    out: list[Step] = []
    for kind, value in atoms:
        if kind == "byte":
            assert isinstance(value, int)
            if out and isinstance(out[-1], Lit):
                out[-1] = Lit(out[-1].data + bytes([value]))
            else:
                out.append(Lit(bytes([value])))
        else:
            out.append(value)  # type: ignore[arg-type]
    return tuple(out)


def _factor(seqs: list[list[_Atom]]) -> tuple[Step, ...]:
    n = 0
    while all(len(s) > n for s in seqs) and all(s[n] == seqs[0][n] for s in seqs):
        n += 1
    head = _steps(seqs[0][:n])
    rests = [s[n:] for s in seqs]
    if all(r == rests[0] for r in rests):
        return head + _steps(rests[0])
    if any(not r for r in rests):
        return head  # one shape ends here: a match of it is a match of the union
    groups: dict[_Atom, list[list[_Atom]]] = {}
    for r in rests:
        groups.setdefault(r[0], []).append(r)
    return (*head, Alt(tuple(_factor(g) for g in groups.values())))


def concat(first: Shape, then: Shape) -> Shape:
    """``first`` followed by ``then``."""
    source = first.source + then.source
    steps = first.steps + then.steps
    check(steps, source)
    return Shape(source, steps)


def union(shapes: list[Shape]) -> Shape:
    """A shape that matches where any of ``shapes`` matches (not where: the end of a match may
    differ), their common beginnings checked once. A shape that ends where another goes on
    stands for both. (What follows a shared part is what follows it in one of the shapes, none
    of which it can take: the union needs no backing up either.)"""
    source = "|".join(s.source for s in shapes)
    steps = _factor([_atoms(s.steps) for s in shapes])
    check(steps, source)
    return Shape(source, steps)
