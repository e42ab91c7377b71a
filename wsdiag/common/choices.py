"""Choices: str-valued Enums (``StrEnum``), and exhaustive matches over them: where code picks by
an Enum member, mypy checks that every one is handled.

``typing.assert_never`` is Python 3.11; wsdiag supports 3.10. A parameter of type ``NoReturn``
is what mypy needs: after every member was matched the value's type is ``Never``, and a member
left out makes the call a type error.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import NoReturn

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10: the same str-valued Enum, as 3.11's StrEnum

    class StrEnum(str, Enum):
        """An Enum whose members are their str values (Python 3.11's enum.StrEnum)."""

        def __str__(self) -> str:
            return str(self.value)


def assert_never(value: NoReturn) -> NoReturn:
    """The ``case _:`` of an exhaustive ``match``; never reached at run time."""
    raise AssertionError(f"unhandled choice: {value!r}")
