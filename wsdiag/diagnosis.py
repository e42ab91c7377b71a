"""The old name of :mod:`wsdiag.diagnose.diagnosis`, kept only while tests of branch i13t still
import it; removed when that branch is merged.
"""

from wsdiag.diagnose.diagnosis import Diagnosis

__all__ = ["Diagnosis"]
