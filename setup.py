"""Build the optional C line filter; everything else is declared in pyproject.toml.

`optional=True`: where no C compiler is available the install still succeeds, and wsdiag
scans with its pure-Python regex path (the same results, about half the speed).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("wsdiag._lines", ["wsdiag/_lines.c"], optional=True)
    ]
)
