"""The Case page's sections, each owning its widgets and callbacks; ``app_pages/case.py`` composes them.

- ``fields``: what the sections share: the open case's values into the widgets (``sync_widgets``), an entry
  applied to the document or kept with its message (``commit``, ``set_error``), units as printed;
- ``source``: the example cases, a new blank case, a case file opened, pasted or downloaded;
- ``printout``: a laboratory printout pasted as one block, previewed, added on confirmation;
- ``patient``: label, age, sex and the dates (symptom onset, treatment start, ADAMTS13 sent);
- ``history``: the tri-state history checklist;
- ``labs``: the draw date, the unit system and the results by section, with unit-slip questions.
"""
