"""Exhaustive choices: where code picks by an Enum member, mypy checks that every one is handled.

``typing.assert_never`` is Python 3.11; wsdiag supports 3.10. A parameter of type ``NoReturn``
is what mypy needs: after every member was matched the value's type is ``Never``, and a member
left out makes the call a type error.
"""

from __future__ import annotations

from typing import NoReturn


def assert_never(value: NoReturn) -> NoReturn:
    """The ``case _:`` of an exhaustive ``match``; never reached at run time."""
    raise AssertionError(f"unhandled choice: {value!r}")
