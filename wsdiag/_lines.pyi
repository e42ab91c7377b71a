# The C line filter (_lines.c).
def scan(
    chunk: bytes | bytearray | memoryview, start: int, end: int, console: bool, known: bytes
) -> tuple[int, list[int]]: ...
