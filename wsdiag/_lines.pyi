# The C line filter (_lines.c).
def scan(
    chunk: bytes | bytearray | memoryview, start: int, end: int, console: bool, known: bytes
) -> tuple[int, list[int]]: ...
def listens(
    chunk: bytes | bytearray | memoryview, start: int, end: int, head: bytes
) -> tuple[int, list[bytes]]: ...
