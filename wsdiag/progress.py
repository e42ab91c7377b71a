"""The old name of :mod:`wsdiag.cli.progress`, kept only while tests of branch i13t still import
it; removed when that branch is merged.
"""

from wsdiag.cli.progress import SHOW_FROM, bar

__all__ = ["SHOW_FROM", "bar"]
