"""Recovery after B12 is started: what the course of platelets and reticulocytes says, day by day.

- ``verdicts``: the response verdicts (too early, adequate, delayed; rising, flat, falling), lag alerts, the
  monitoring plan as dated tasks, the dose course (given and planned);
- ``course``: reading the course itself: platelets collapsing under B12 (a critical alert on any day), whether
  haemolysis is still active (a reticulocyte rise during it is not a response), the expected-recovery data.
"""

from logic.recovery.course import Collapse, collapse_alert, day_of, expected, haemolysis_active, platelet_collapse
from logic.recovery.verdicts import CourseDose, Response, Task, dose_course, monitoring_tasks, response

__all__ = [
    "Collapse",
    "CourseDose",
    "Response",
    "Task",
    "collapse_alert",
    "day_of",
    "dose_course",
    "expected",
    "haemolysis_active",
    "monitoring_tasks",
    "platelet_collapse",
    "response",
]
