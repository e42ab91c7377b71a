"""Reading: inputs into whole-line byte chunks.

:mod:`~wsdiag.read.follow` follows a growing log (``watch``). The modules that read files,
archives and standard input (``sources``), line prefixes and timestamps, and the line filter
move here from the top of the package once branch i13t (#13, parsing core) is merged.
"""
