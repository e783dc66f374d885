"""The regimen data file, its vocabularies (products, routes, checkpoints) and the regimen errors.

``data/regimens.json`` holds every preset, knob, route and checkpoint with the ids of its
sources. Routes are :class:`~logic.results.Route` members: the file describes each allowed route
(label, whether it is injected) and each refused one (the statement giving the reason); a few
older spellings (``deep SC``) are read as their route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.reference import load_json
from logic.reference.statements import text
from logic.results import Route

REGIMENS_FILE = "regimens.json"
MAX_DOSE_MCG = 5000
MAX_MONTHS = 360
MAX_WEEKS = 104
MAX_COUNT = 2000
MILESTONE_MONTHS = (1, 3, 12)
_ROUTE_VALUES = frozenset(r.value for r in Route)


@dataclass(frozen=True)
class Suitability:
    """Whether a preset fits a case: ``ok``, ``refused`` (with the reason) or ``not_known``."""

    preset_id: str
    status: str
    text: str
    refs: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


class RegimenError(ValueError):
    """Raised with every problem found in a regimen, a phase or a set of knob values."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class RegimenRefused(RegimenError):
    """A preset refused for this case (for example oral maintenance in pernicious anaemia)."""

    def __init__(self, suitability: Suitability):
        self.suitability = suitability
        super().__init__([suitability.text])


def data() -> dict[str, Any]:
    """The whole of ``data/regimens.json`` (read once, cached by :func:`load_json`)."""
    return load_json(REGIMENS_FILE)


def is_int(value: Any) -> bool:
    """A whole number, and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def products() -> tuple[str, ...]:
    return tuple(data()["products"])


def routes() -> tuple[Route, ...]:
    """The routes a plan may use, in the file's order (refused routes left out)."""
    return tuple(Route(r) for r in data()["routes"])


def refused_routes() -> tuple[Route, ...]:
    return tuple(Route(r) for r in data()["refused_routes"])


def canonical_route(value: Any) -> Any:
    """The :class:`Route` for a route or one of its older spellings (``deep SC`` is SC);
    anything else is returned unchanged, for the caller to report."""
    if not isinstance(value, str):
        return value
    value = data()["route_aliases"].get(value, value)
    return Route(value) if value in _ROUTE_VALUES else value


def refused_reason(route: str) -> str | None:
    """Why ``route`` is refused (its statement, filled from the data it quotes), or None."""
    spec = data()["refused_routes"].get(route)
    if spec is None:
        return None
    loss = spec["urinary_loss"]
    curve = data()["store_model"]["retention"][loss["product"]]["curves"][loss["curve"]]
    retained = dict((float(d), float(f)) for d, f in curve["points"])[float(loss["dose_mcg"])]
    return text(f"regimen.{spec['statement']}", loss_pct=round(100 * (1 - retained)), dose_mcg=loss["dose_mcg"])


def is_parenteral(route: str) -> bool:
    """True for injected routes (IM, SC): these need a clinic visit."""
    return bool(data()["routes"].get(route, {}).get("parenteral", False))


@dataclass(frozen=True)
class CheckpointRule:
    """A decision the source ties to the step into a phase: placed on that phase's first dose, or
    (``at_end_of_previous``) on the last dose of the phase before it, where the decision falls."""

    id: str
    title: str
    text: str
    refs: tuple[str, ...]
    analytes: tuple[str, ...] = ()
    at_end_of_previous: bool = False


@lru_cache(maxsize=1)
def checkpoint_rules() -> dict[str, CheckpointRule]:
    return {
        cid: CheckpointRule(cid, c["title"], c["text"], tuple(c["refs"]), tuple(c.get("analytes", ())),
                            c.get("placed") == "end_of_previous_phase")  # fmt: skip
        for cid, c in data()["checkpoints"].items()
    }
