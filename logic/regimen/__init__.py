"""B12 treatment regimens: presets with their sources, schedules, projections and a store estimate.

A package of topic modules; every public name is re-exported here, so ``from logic.regimen
import X`` is the stable import path:

- ``base``: the data file, routes and products, checkpoint rules, :class:`RegimenError`;
- ``phases``: :class:`Phase`, :class:`Regimen`, :func:`custom_regimen` and the regimen document
  (:func:`regimen_to_doc` / :func:`regimen_from_doc`);
- ``presets``: :class:`Preset`, :class:`KnobSpec` and knob checking;
- ``case_fit``: whether a preset fits a case; the low-platelet IM evidence;
- ``build``: :func:`build_regimen`, a preset and knob values made into a regimen;
- ``schedules``: dated doses (:func:`build_schedule`), their projection, and which planned doses
  are due or unrecorded once some have been given;
- ``suggestion``: :func:`regimen_for_case`;
- ``stores``: the body-store estimate (a model, not a measurement);
- ``clinic``: blood-test appointments, injections kept off weekends, "continues for life".

No clock is read: ``start`` and ``today`` are always passed in. JSON for the command line is made
in ``logic/cli/schedule.py``.
"""

from logic.case.dates import add_months
from logic.regimen.base import (
    MAX_COUNT,
    MAX_DOSE_MCG,
    MAX_MONTHS,
    MAX_WEEKS,
    MILESTONE_MONTHS,
    REGIMENS_FILE,
    CheckpointRule,
    RegimenError,
    RegimenRefused,
    canonical_route,
    checkpoint_rules,
    is_parenteral,
    products,
    refused_reason,
    refused_routes,
    routes,
)
from logic.regimen.build import build_regimen
from logic.regimen.case_fit import (
    PlateletEvidence,
    Suitability,
    im_platelet_evidence,
    im_platelet_warning,
    malabsorption,
    suitability,
)
from logic.regimen.clinic import (
    BloodTest,
    Move,
    WeekdayPlan,
    blood_tests,
    describe_move,
    for_life,
    off_weekends,
    shortest_gaps,
)
from logic.regimen.phases import (
    Phase,
    Regimen,
    custom_regimen,
    phase_from_doc,
    phase_problems,
    phase_to_doc,
    regimen_from_doc,
    regimen_to_doc,
)
from logic.regimen.presets import KnobSpec, Preset, default_preset_id, knob_problems, parse_knobs, preset, preset_ids
from logic.regimen.schedules import (
    Checkpoint,
    Injection,
    Projection,
    Schedule,
    build_schedule,
    dose_entry,
    due,
    next_due,
    next_pending,
    pending,
    project,
    schedule,
    unrecorded,
)
from logic.regimen.stores import (
    Param,
    StoreEstimate,
    StoreParams,
    estimate_stores,
    loss_choices,
    retained_fraction,
    retention_curves,
    summary,
)
from logic.regimen.suggestion import (
    Suggestion,
    case_lifelong,
    checkpoint_observations,
    plan_for_case,
    regimen_for_case,
    with_lifelong,
)
from logic.results import Note, Route

__all__ = [
    "MAX_COUNT",
    "MAX_DOSE_MCG",
    "MAX_MONTHS",
    "MAX_WEEKS",
    "MILESTONE_MONTHS",
    "REGIMENS_FILE",
    "BloodTest",
    "Checkpoint",
    "CheckpointRule",
    "Injection",
    "KnobSpec",
    "Move",
    "Note",
    "Param",
    "Phase",
    "PlateletEvidence",
    "Preset",
    "Projection",
    "Regimen",
    "RegimenError",
    "RegimenRefused",
    "Route",
    "Schedule",
    "StoreEstimate",
    "StoreParams",
    "Suggestion",
    "Suitability",
    "WeekdayPlan",
    "add_months",
    "blood_tests",
    "build_regimen",
    "build_schedule",
    "canonical_route",
    "case_lifelong",
    "checkpoint_observations",
    "checkpoint_rules",
    "custom_regimen",
    "default_preset_id",
    "describe_move",
    "dose_entry",
    "due",
    "estimate_stores",
    "for_life",
    "im_platelet_evidence",
    "im_platelet_warning",
    "is_parenteral",
    "knob_problems",
    "loss_choices",
    "malabsorption",
    "next_due",
    "next_pending",
    "off_weekends",
    "parse_knobs",
    "pending",
    "phase_from_doc",
    "phase_problems",
    "phase_to_doc",
    "plan_for_case",
    "preset",
    "preset_ids",
    "products",
    "project",
    "refused_reason",
    "refused_routes",
    "regimen_for_case",
    "regimen_from_doc",
    "regimen_to_doc",
    "retained_fraction",
    "retention_curves",
    "routes",
    "schedule",
    "shortest_gaps",
    "suitability",
    "summary",
    "unrecorded",
    "with_lifelong",
]
