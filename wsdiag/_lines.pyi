# The C line filter (_lines.c); linefilter.py builds its arguments from the template table.
from collections.abc import Sequence

_Lits = Sequence[bytes | tuple[bytes, int]]
_Buffer = bytes | bytearray | memoryview

MAX_LINE: int
MAX_SAMPLES: int

class Filter:
    def __init__(
        self,
        wrapper: bytes | None,
        stamp: bytes,
        module: bytes | None,
        func: bytes | None,
        debug: _Lits,
        levels: _Lits,
        funcs: _Lits,
        starts: _Lits,
        texts: _Lits,
        debug_starts: _Lits,
        debug_texts: _Lits,
        id_seps: _Lits,
        hazards: _Lits,
        alive: Sequence[bytes],
        day_at: int = ...,
        month_at: int = ...,
        marks: _Lits | None = ...,
    ) -> None: ...
    def scan(
        self,
        chunk: _Buffer,
        start: int,
        end: int,
        known: bytes,
        all_lines: bool = False,
        every_alive: bool = True,
    ) -> tuple[int, list[int], int, int, int, list[int], int, int]: ...
    def listens(self, chunk: _Buffer, start: int, end: int, head: bytes) -> tuple[int, list[bytes]]: ...
    def line_stamps(self, chunk: _Buffer, end: int) -> list[bytes] | None: ...

def match_shape(program: bytes, data: bytes, pos: int) -> int | None: ...
def map_guard(window: object) -> bool: ...
def map_unguard() -> bool: ...
