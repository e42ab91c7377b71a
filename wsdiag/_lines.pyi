# The C line filter (_lines.c).
MAX_LINE: int
MAX_SAMPLES: int

def scan(
    chunk: bytes | bytearray | memoryview, start: int, end: int, layout: int, known: bytes, as_kind: int = 0
) -> tuple[int, list[int], int, int, int, list[int], int, int]: ...
def listens(
    chunk: bytes | bytearray | memoryview, start: int, end: int, head: bytes, less: bool = False
) -> tuple[int, list[bytes]]: ...
def line_stamps(chunk: bytes | bytearray | memoryview, end: int) -> list[bytes] | None: ...
