"""Confirm (or not) vitamin B12 deficiency and describe the blood picture, with sources.

Input: a :class:`~logic.case.Case` and a threshold set (``data/thresholds/``). Output: a
frozen :class:`Diagnosis` whose every statement names the references behind it.
Values used are the case's *baseline* (last value on or before ``treatment_start``).

Sources: NICE NG239 (B12/holoTC bands), BSH 2014 (discordance, folate, local ranges),
Stabler NEJM 2013 (MMA/homocysteine limits), CTCAE v5 (grades), WHO 2011 (anaemia),
ICSH 2021 (schistocytes), Hillman & Finch (RPI), US cyanocobalamin label (route, potassium,
folate, delay), Battat 2014 (ileal resection).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from logic import bands
from logic.case import Case, Observation
from logic.dates import add_months
from logic.reference import ThresholdSet, threshold_set
from logic.results import Alert, B12Status, NextTest, Note, by_severity
from logic.units import from_canonical

DEFICIENT, INDETERMINATE, UNLIKELY, UNKNOWN = B12Status
STATUS_TEXT = {
    DEFICIENT: "B12 deficiency confirmed",
    INDETERMINATE: "B12 status indeterminate",
    UNLIKELY: "B12 deficiency unlikely",
    UNKNOWN: "B12 status unknown: not enough data",
}


@dataclass(frozen=True)
class Finding:
    """One feature of the blood picture. ``present`` is True, False or None (not known)."""

    id: str
    label: str
    present: bool | None
    detail: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cause:
    id: str
    label: str
    present: bool | None
    lifelong: bool | None
    text: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class B12Verdict:
    status: str
    headline: str
    reasons: tuple[Note, ...]
    serum_band: str | None = None
    holotc_band: str | None = None
    settled_by: str | None = None


@dataclass(frozen=True)
class Diagnosis:
    b12: B12Verdict
    thrombocytopenia_grade: int | None
    anaemia_grade: int | None
    hemolysis: bool | None
    findings: tuple[Finding, ...]
    causes: tuple[Cause, ...]
    lifelong: bool | None
    lifelong_reasons: tuple[Note, ...]
    route: tuple[Note, ...]
    alerts: tuple[Alert, ...]
    next_tests: tuple[NextTest, ...]
    thresholds_id: str
    reticulocyte_production_index: float | None = None
    values: dict[str, Observation] = field(default_factory=dict, compare=False)

    def finding(self, fid: str) -> Finding:
        return next(f for f in self.findings if f.id == fid)


# -- helpers -------------------------------------------------------------------


def _fmt(obs: Observation) -> str:
    return f"{obs.display()} ({obs.date.isoformat()})"


def _b12_text(obs: Observation) -> str:
    """Serum B12 as entered, with the other unit in brackets."""
    shown = obs.display()
    if obs.unit and obs.unit.lower() == "pmol/l":
        other = f"{obs.canonical:.0f} ng/L"
    else:
        other = f"{from_canonical('b12', float(obs.canonical), 'pmol/L'):.0f} pmol/L"
    return f"{shown} (= {obs.comparator or ''}{other})"


def _band_word(bandset: set[str]) -> str:
    if bandset == {"low"}:
        return DEFICIENT
    if bandset == {"high"}:
        return UNLIKELY
    return INDETERMINATE


# -- B12 status ------------------------------------------------------------------


def b12_verdict(case: Case, t: ThresholdSet) -> B12Verdict:
    """Serum B12 (and holoTC) bands, settled by MMA/homocysteine when indeterminate."""
    base = case.baseline()
    serum, holo = base.get("b12"), base.get("holotc")
    mma, hcy, folate = base.get("mma"), base.get("homocysteine"), base.get("folate")
    reasons: list[Note] = []
    d_cut, u_cut = t["b12_deficient_below"], t["b12_unlikely_above"]
    b12_refs = t.get("b12_deficient_below").refs
    serum_band = holo_band = None
    if serum is not None:
        bs = bands.three_bands(serum, d_cut, u_cut)
        serum_band = _band_word(bs)
        where = {
            DEFICIENT: f"below {d_cut:g} ng/L",
            UNLIKELY: f"above {u_cut:g} ng/L",
            INDETERMINATE: f"within {d_cut:g}-{u_cut:g} ng/L",
        }[serum_band]
        if len(bs) > 1:
            where = f"a censored value that spans the {d_cut:g} / {u_cut:g} ng/L cut-offs"
        reasons.append(Note(f"Serum B12 {_b12_text(serum)} is {where}: {serum_band}.", b12_refs))
    if holo is not None:
        hd, hu = t["holotc_deficient_below"], t["holotc_unlikely_above"]
        hb = bands.three_bands(holo, hd, hu)
        holo_band = _band_word(hb)
        reasons.append(
            Note(
                f"Active B12 (holoTC) {_fmt(holo)}: {holo_band} (bands <{hd:g} / {hd:g}-{hu:g} / >{hu:g} pmol/L).",
                t.get("holotc_deficient_below").refs,
            )
        )
    found = [b for b in (serum_band, holo_band) if b]
    mma_raised = bands.above(mma, t["mma_raised_above"])
    hcy_raised = bands.above(hcy, t["homocysteine_raised_above"])
    folate_low = bands.below(folate, t["folate_deficient_below"])
    mma_refs = t.get("mma_raised_above").refs
    if not found:
        if mma_raised:
            reasons.append(
                Note(f"No B12 result, but MMA {_fmt(mma)} is raised: measure serum B12 or holoTC.", mma_refs)
            )
        return B12Verdict(UNKNOWN, STATUS_TEXT[UNKNOWN] + " (no serum B12 or holoTC result).", tuple(reasons))
    if DEFICIENT in found:
        status = DEFICIENT
    elif INDETERMINATE in found:
        status = INDETERMINATE
    else:
        status = UNLIKELY
    settled_by = None
    if status == INDETERMINATE:
        if mma_raised is True:
            status, settled_by = DEFICIENT, "mma"
            reasons.append(
                Note(
                    f"MMA {_fmt(mma)} is above {t['mma_raised_above']:g} umol/L: the indeterminate result is "
                    "settled as deficiency (MMA is the recommended second-line test).",
                    mma_refs + ("sands_bmj_2024",),
                )
            )
        elif mma_raised is False and hcy_raised is not True:
            status, settled_by = UNLIKELY, "mma"
            reasons.append(
                Note(
                    f"MMA {_fmt(mma)} is within its reference limit: tissue deficiency is unlikely. If strong "
                    "clinical features persist, BSH advises not delaying treatment.",
                    mma_refs + ("sands_bmj_2024", "bsh_2014"),
                )
            )
        elif mma_raised is False and hcy_raised is True:
            reasons.append(
                Note(
                    f"MMA {_fmt(mma)} is normal but homocysteine {_fmt(hcy)} is raised: discordant; folate "
                    "deficiency and renal impairment also raise homocysteine.",
                    mma_refs + ("bsh_2014",),
                )
            )
        elif hcy_raised is True and folate_low is False:
            status, settled_by = DEFICIENT, "homocysteine"
            reasons.append(
                Note(
                    f"Homocysteine {_fmt(hcy)} is raised with a normal folate: supports deficiency "
                    "(less specific than MMA; renal impairment also raises it).",
                    t.get("homocysteine_raised_above").refs + ("bsh_2014",),
                )
            )
        elif hcy_raised is True:
            reasons.append(
                Note(
                    f"Homocysteine {_fmt(hcy)} is raised, but folate is "
                    f"{'low' if folate_low else 'not known'}: folate deficiency raises it too. MMA would settle it.",
                    ("bsh_2014",),
                )
            )
        elif hcy_raised is False:
            reasons.append(
                Note(
                    f"Homocysteine {_fmt(hcy)} is normal, which makes deficiency less likely; MMA is the more "
                    "specific test.",
                    t.get("homocysteine_raised_above").refs,
                )
            )
        else:
            reasons.append(
                Note(
                    "Indeterminate: measure MMA (or homocysteine), with a blood count and folate, to settle it.",
                    ("sands_bmj_2024", "nice_ng239"),
                )
            )
    elif status == UNLIKELY:
        if mma_raised or hcy_raised:
            status = INDETERMINATE
            marker = f"MMA {_fmt(mma)}" if mma_raised else f"homocysteine {_fmt(hcy)}"
            reasons.append(
                Note(
                    f"B12 is not low, but {marker} is raised: a functional deficiency is possible (nitrous "
                    "oxide, intrinsic-factor antibody assay interference); renal impairment also raises these markers.",
                    ("prac_neurol_n2o", "bsh_2014", "mma_renal_acb"),
                )
            )
        else:
            reasons.append(
                Note(
                    "A normal B12 does not exclude functional deficiency (nitrous oxide; a level drawn after an "
                    "injection; intrinsic-factor antibody interference with some assays).",
                    ("prac_neurol_n2o", "bsh_2014"),
                )
            )
    if serum is not None and holo is not None and serum_band != holo_band:
        reasons.append(
            Note(
                f"Serum B12 ({serum_band}) and holoTC ({holo_band}) disagree; the lower band is used.", ("nice_ng239",)
            )
        )
    if settled_by == "mma":
        creat_high = bands.above(case.baseline().get("creatinine"), t["creatinine_uln"])
        if creat_high:
            reasons.append(
                Note(
                    "Creatinine is raised: MMA rises with renal impairment, so interpret it with care.",
                    ("mma_renal_acb",),
                )
            )
    headline = STATUS_TEXT[status]
    if settled_by:
        headline += f" (settled by {'MMA' if settled_by == 'mma' else 'homocysteine'})"
    return B12Verdict(status, headline, tuple(reasons), serum_band, holo_band, settled_by)


# -- blood picture -------------------------------------------------------------


def thrombocytopenia_grade(obs: Observation | None, lln: float) -> int | None:
    """CTCAE v5 'platelet count decreased': 0 at or above LLN; 1 <LLN-75; 2 <75-50; 3 <50-25; 4 <25."""
    if obs is None:
        return None
    iv = bands.Interval.of(obs)

    def grade(x: float) -> int:
        if x >= lln:
            return 0
        if x >= 75:
            return 1
        if x >= 50:
            return 2
        if x >= 25:
            return 3
        return 4

    hi = iv.hi if iv.hi_closed else iv.hi - 1e-9
    lo_g, hi_g = grade(iv.lo), grade(hi if hi != float("inf") else 1e12)
    return lo_g if lo_g == hi_g else None


def anaemia_grade(obs: Observation | None, sex: str | None, t: ThresholdSet) -> tuple[int | None, str]:
    """CTCAE v5 anaemia grade (0 none) with WHO lower limits by sex; None if it depends on unknowns."""
    if obs is None:
        return None, "no haemoglobin result"
    hb = float(obs.canonical)
    lln = {"male": t["hb_lln_male"], "female": t["hb_lln_female"]}.get(sex or "")
    if obs.comparator:
        return None, f"censored haemoglobin {obs.display()}"
    if lln is None:
        lo_l, hi_l = sorted((t["hb_lln_male"], t["hb_lln_female"]))
        if hb >= hi_l:
            return 0, f"Hb {obs.display()} is at or above both sexes' lower limits"
        if hb >= lo_l:
            return None, f"Hb {obs.display()}: anaemic in a man, not in a woman; sex not recorded"
        lln = lo_l
    if hb >= lln:
        return 0, f"Hb {obs.display()} is at or above {lln:g} g/dL"
    if hb >= 10:
        g = 1
    elif hb >= 8:
        g = 2
    else:
        g = 3
    return g, f"Hb {obs.display()} is below {lln:g} g/dL: CTCAE grade {g}"


def _maturation_days(hct: float) -> float:
    if hct >= 40:
        return 1.0
    if hct >= 35:
        return 1.5
    if hct >= 25:
        return 2.0
    if hct >= 15:
        return 2.5
    return 3.0


def reticulocyte_production_index(
    retic: Observation | None, hct: Observation | None, hb: Observation | None
) -> tuple[float | None, str]:
    """RPI = retic % x (Hct/45) / maturation days (Hillman & Finch). Hct estimated as 3 x Hb if missing."""
    if retic is None or retic.comparator:
        return None, "needs a reticulocyte percentage"
    if hct is not None and not hct.comparator:
        h, how = float(hct.canonical), f"haematocrit {hct.display()}"
    elif hb is not None and not hb.comparator:
        h, how = 3 * float(hb.canonical), f"haematocrit estimated as 3 x Hb ({3 * float(hb.canonical):.0f} %)"
    else:
        return None, "needs a haematocrit or haemoglobin"
    rpi = float(retic.canonical) * (h / 45) / _maturation_days(h)
    return rpi, f"reticulocytes {retic.display()}, {how}, maturation {_maturation_days(h):g} d"


def _blood_picture(
    case: Case, t: ThresholdSet
) -> tuple[list[Finding], int | None, int | None, bool | None, float | None]:
    base = case.baseline()
    plt, hb, mcv = base.get("platelets"), base.get("hemoglobin"), base.get("mcv")
    wbc, neut = base.get("wbc"), base.get("neutrophils")
    findings: list[Finding] = []

    grade = thrombocytopenia_grade(plt, t["platelets_lln"])
    ctcae = ("ctcae_v5",) + t.get("platelets_lln").refs
    if plt is None:
        findings.append(Finding("thrombocytopenia", "Thrombocytopenia", None, "No platelet count.", ctcae))
    elif grade is None:
        findings.append(
            Finding(
                "thrombocytopenia",
                "Thrombocytopenia",
                bands.below(plt, t["platelets_lln"]),
                f"Platelets {_fmt(plt)}: censored value spans CTCAE grades.",
                ctcae,
            )
        )
    else:
        text = (
            f"Platelets {_fmt(plt)}: CTCAE v5 grade {grade}"
            if grade
            else f"Platelets {_fmt(plt)}: not below {t['platelets_lln']:g} x10^9/L"
        )
        findings.append(Finding("thrombocytopenia", "Thrombocytopenia", grade > 0, text + ".", ctcae))

    a_grade, a_text = anaemia_grade(hb, case.patient.sex, t)
    findings.append(
        Finding(
            "anaemia", "Anaemia", None if a_grade is None else a_grade > 0, a_text + ".", ("who_hb_2011", "ctcae_v5")
        )
    )
    anaemic = None if a_grade is None else a_grade > 0

    wbc_low = bands.below(wbc, t["wbc_lln"])
    neut_low = bands.below(neut, t["neutrophils_lln"])
    leuko = True if (wbc_low or neut_low) else (False if (wbc_low is False or neut_low is False) else None)
    low_plt = bands.below(plt, t["platelets_lln"])
    parts = (anaemic, low_plt, leuko)
    pancyto = False if False in parts else (True if all(parts) else None)
    detail = (
        "Low haemoglobin, platelets and white cells together."
        if pancyto
        else "Not all three lineages are low."
        if pancyto is False
        else "Needs haemoglobin, platelets and a white count (or neutrophils)."
    )
    findings.append(Finding("pancytopenia", "Pancytopenia", pancyto, detail, ("cobalt_pancytopenia", "andres_2006")))
    if low_plt and anaemic is False and leuko is False:
        findings.append(
            Finding(
                "isolated_thrombocytopenia",
                "Isolated thrombocytopenia",
                True,
                "Platelets low with normal haemoglobin and white count: B12 deficiency can present this way.",
                ("andres_2006",),
            )
        )

    # haemolysis markers
    ldh, hapto = base.get("ldh"), base.get("haptoglobin")
    bili = base.get("bilirubin_indirect")
    retic_pct = base.get("reticulocytes_pct")
    hapto_low = bands.below(hapto, t["haptoglobin_lln"])
    hapto_undetect = bands.at_or_below(hapto, t["haptoglobin_undetectable_at_or_below"])
    ldh_high = bands.above(ldh, t["ldh_uln"])
    bili_high = bands.above(bili, t["bilirubin_indirect_hemolysis_above"])
    schisto_pct = base.get("schistocytes_pct")
    schisto_seen_obs = base.get("schistocytes_seen")
    schisto_pct_high = bands.above(schisto_pct, t["schistocytes_pct_tma_above"])
    schisto: bool | None
    if schisto_pct_high is not None:
        schisto = schisto_pct_high
    elif schisto_seen_obs is not None:
        schisto = bool(schisto_seen_obs.value)
    else:
        schisto = None
    if hapto_low or (ldh_high and (bili_high or schisto)):
        hemolysis = True
    elif hapto_low is False or (hapto is None and ldh_high is False):
        hemolysis = False
    else:
        hemolysis = None
    markers = []
    if ldh is not None:
        ratio = float(ldh.canonical) / t["ldh_uln"]
        markers.append(f"LDH {ldh.display()} ({ratio:.1f} x upper limit {t['ldh_uln']:g})")
    if hapto is not None:
        markers.append(
            f"haptoglobin {hapto.display()}" + (" (undetectable)" if hapto_undetect else " (low)" if hapto_low else "")
        )
    if bili is not None:
        markers.append(f"indirect bilirubin {bili.display()}")
    hem_detail = ("; ".join(markers) or "No LDH, haptoglobin or bilirubin result") + "."
    if hemolysis is None and markers:
        hem_detail += (
            " Not enough to decide: a low haptoglobin, or a raised LDH with raised indirect bilirubin"
            " or schistocytes, would show haemolysis."
        )
    findings.append(
        Finding("hemolysis", "Haemolysis", hemolysis, hem_detail, t.get("haptoglobin_lln").refs + ("bendapudi_2017",))
    )

    schisto_detail = (
        f"Schistocytes {schisto_pct.display()} (more than {t['schistocytes_pct_tma_above']:g} % is suspicious for TMA)."
        if schisto_pct is not None
        else f"Schistocytes {'seen' if schisto else 'not seen'} on the film."
        if schisto is not None
        else "No blood film result."
    )
    if schisto:
        schisto_detail += " Fragments in megaloblastic anaemia vary in shape and are not specific for TMA."
    findings.append(Finding("schistocytes", "Schistocytes", schisto, schisto_detail, ("icsh_2021_schistocytes",)))

    # reticulocyte production index
    rpi, rpi_how = reticulocyte_production_index(retic_pct, base.get("hematocrit"), hb)
    if rpi is None:
        findings.append(
            Finding("rpi", "Reticulocyte production index", None, f"Not computed: {rpi_how}.", ("hillman_finch_rpi",))
        )
    else:
        low = rpi < t["rpi_inadequate_below"]
        text = f"RPI {rpi:.1f} ({rpi_how}). " + (
            "Below 2: the marrow is not responding, as in B12 deficiency (RPI below 3 in every published "
            "pseudo-TMA case). "
            if low
            else "2 or above: an active marrow response, which points away from B12 deficiency and towards "
            "peripheral haemolysis (TTP, autoimmune haemolysis). "
        )
        findings.append(
            Finding("rpi", "Low reticulocyte production index", low, text.strip(), t.get("rpi_inadequate_below").refs)
        )

    # macrocytosis and what hides it
    ferritin = base.get("ferritin")
    iron_low = bands.below(ferritin, t["ferritin_iron_deficient_below"])
    macro = bands.above(mcv, t["mcv_macrocytic_above"])
    if mcv is None:
        m_text = "No MCV result."
    elif macro:
        m_text = f"MCV {_fmt(mcv)} is above {t['mcv_macrocytic_above']:g} fL."
    else:
        m_text = (
            f"MCV {_fmt(mcv)} is not macrocytic. A normal MCV does not exclude B12 deficiency: coexisting "
            "iron deficiency or thalassaemia trait can hide macrocytosis."
        )
        if iron_low:
            m_text += f" Ferritin {ferritin.display()} is low: iron deficiency is present."
    findings.append(
        Finding(
            "macrocytosis",
            "Macrocytosis",
            macro,
            m_text,
            ("kaferle_afp_2009", "case_rep_hematol_2013", "ash_2016_pancytopenia"),
        )
    )
    hyper = base.get("hypersegmented_neutrophils")
    if hyper is not None:
        findings.append(
            Finding(
                "hypersegmented_neutrophils",
                "Hypersegmented neutrophils",
                bool(hyper.value),
                f"Hypersegmented neutrophils {'seen' if hyper.value else 'not seen'}: "
                "they support megaloblastic anaemia and persist up to 2 weeks after treatment.",
                ("stabler_nejm_2013",),
            )
        )
    hcy = base.get("homocysteine")
    hcy_high = bands.above(hcy, t["homocysteine_raised_above"])
    findings.append(
        Finding(
            "hyperhomocysteinaemia",
            "Hyperhomocysteinaemia",
            hcy_high,
            (
                f"Homocysteine {_fmt(hcy)}: {'above' if hcy_high else 'not above'} "
                f"{t['homocysteine_raised_above']:g} umol/L."
                " It rises in B12 and folate deficiency and renal impairment."
                if hcy is not None
                else "No homocysteine result (the article asks to screen for it)."
            ),
            t.get("homocysteine_raised_above").refs + ("bsh_2014",),
        )
    )
    return findings, grade, a_grade, hemolysis, rpi


# -- causes, lifelong, route -----------------------------------------------------


def causes(case: Case, t: ThresholdSet) -> tuple[list[Cause], bool | None, list[Note]]:
    h = case.history
    cut = t["ileal_resection_lifelong_above_cm"]
    out: list[Cause] = []
    pa = h.pernicious_anemia
    out.append(
        Cause(
            "pernicious_anemia",
            "Pernicious anaemia",
            pa,
            True if pa else None,
            "Autoimmune loss of intrinsic factor: B12 is needed for life (the US label); injections are the "
            "dependable route."
            if pa
            else "Not known: intrinsic-factor antibodies (positive in only 60-70 %) help; a "
            "negative result does not exclude it."
            if pa is None
            else "Recorded as absent.",
            ("fda_label_pa_lifelong", "nice_ng239", "khan_jcp_2009"),
        )
    )
    cm = h.ileal_resection_cm
    if cm is None:
        out.append(
            Cause(
                "ileal_resection",
                "Ileal resection",
                None,
                None,
                "Length of any ileal resection not known.",
                ("battat_ibd_2014",),
            )
        )
    elif cm > cut:
        out.append(
            Cause(
                "ileal_resection",
                "Ileal resection",
                True,
                True,
                f"{cm:g} cm resected (more than {cut:g} cm): B12 absorption is lost for good; lifelong "
                "replacement." + (" Resections of 20-30 cm gave inconsistent results in studies." if cm <= 30 else ""),
                ("battat_ibd_2014", "scotland_formulary"),
            )
        )
    elif cm > 0:
        out.append(
            Cause(
                "ileal_resection",
                "Ileal resection",
                True,
                False,
                f"{cm:g} cm resected ({cut:g} cm or less): not shown to cause deficiency on its own.",
                ("battat_ibd_2014",),
            )
        )
    else:
        out.append(
            Cause("ileal_resection", "Ileal resection", False, False, "No ileal resection.", ("battat_ibd_2014",))
        )
    simple = [
        (
            "crohns_ileal",
            "Crohn's disease of the ileum",
            None,
            "Ileal Crohn's reduces absorption; lifelong treatment where more than 20 cm is resected.",
            ("battat_ibd_2014",),
        ),
        (
            "gastric_surgery",
            "Gastrectomy or bariatric surgery",
            True,
            "Loss of intrinsic factor or bypass of the absorption site; generally lifelong (quantified in the sources "
            "only for total gastrectomy).",
            ("nice_ng239", "scotland_formulary"),
        ),
        (
            "metformin",
            "Metformin",
            False,
            "Lowers B12, more so at higher dose and longer use; monitor B12 while it continues.",
            ("mhra_metformin_2022",),
        ),
        (
            "acid_suppression",
            "Acid suppression",
            False,
            "Two or more years of a PPI (OR 1.65) or H2 blocker (OR 1.25) are linked to deficiency.",
            ("lam_jama_2013",),
        ),
        (
            "vegan_or_vegetarian",
            "Vegan or vegetarian diet",
            False,
            "Low intake with normal absorption: reversible with supplements or diet.",
            ("nice_ng239", "scotland_formulary"),
        ),
        (
            "nitrous_oxide",
            "Nitrous oxide",
            False,
            "Inactivates B12 (functional deficiency, serum B12 often normal); stop exposure.",
            ("prac_neurol_n2o",),
        ),
    ]
    for fid, label, life, text, refs in simple:
        val = h.flag(fid)
        if val:
            out.append(Cause(fid, label, True, life, text, refs))
        elif val is None:
            out.append(Cause(fid, label, None, None, "Not known.", refs))
    permanent = [c for c in out if c.lifelong is True]
    reasons: list[Note] = []
    if permanent:
        lifelong: bool | None = True
        for c in permanent:
            reasons.append(Note(f"{c.label}: {c.text}", c.refs))
    else:
        unknown = []
        if pa is None:
            unknown.append("pernicious anaemia")
        if cm is None:
            unknown.append("ileal resection length")
        if h.gastric_surgery is None:
            unknown.append("gastric surgery")
        if unknown:
            lifelong = None
            reasons.append(
                Note(
                    "Not enough data: lifelong treatment depends on " + ", ".join(unknown) + ".",
                    ("fda_label_pa_lifelong", "battat_ibd_2014"),
                )
            )
        else:
            lifelong = False
            reasons.append(
                Note(
                    "No permanent cause recorded: treat the cause and review; reassess if one is found.",
                    ("nice_ng239",),
                )
            )
    return out, lifelong, reasons


def malabsorption_causes(case: Case, t: ThresholdSet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(causes of malabsorption present, those not known) from the history checklist: pernicious
    anaemia, ileal resection longer than the set's cut-off (20 cm, Battat 2014), ileal Crohn's
    disease, gastric surgery. Unknown is never treated as no. The one place this rule lives."""
    h = case.history
    cut = t["ileal_resection_lifelong_above_cm"]
    resected = None if h.ileal_resection_cm is None else h.ileal_resection_cm > cut
    items = (
        ("pernicious anaemia", h.pernicious_anemia),
        (f"ileal resection over {cut:g} cm", resected),
        ("ileal Crohn's disease", h.crohns_ileal),
        ("gastric surgery", h.gastric_surgery),
    )
    present = tuple(name for name, v in items if v is True)
    unknown = tuple(
        ("ileal resection length" if name.startswith("ileal resection") else name) for name, v in items if v is None
    )
    return present, unknown


def route_advice(case: Case, t: ThresholdSet) -> list[Note]:
    h = case.history
    out = [
        Note(
            "When B12 is replaced, injections come first: intramuscular (the US label also allows deep subcutaneous).",
            ("fda_cyanocobalamin_label", "bnf_hydroxocobalamin"),
        ),
        Note(
            "Never intravenous: above the serum binding capacity most of a dose is lost in urine "
            "(about 85 % of a 1000 microgram dose).",
            ("fda_cyanocobalamin_label", "swiss_cbl_fachinfo"),
        ),
    ]
    malabsorption, not_known = malabsorption_causes(case, t)
    unknown = bool(not_known)
    if malabsorption:
        out.append(
            Note(
                "Oral maintenance is not reliable here ("
                + ", ".join(malabsorption)
                + "): injections are the dependable route. "
                "If oral is chosen anyway in malabsorption, NICE asks for at least 1 mg a day.",
                ("fda_cyanocobalamin_label", "sands_bmj_2024"),
            )
        )
    elif unknown:
        out.append(
            Note(
                "Oral maintenance only once absorption is known to be normal: pernicious anaemia, ileal "
                "resection or gastric surgery is not yet recorded.",
                ("fda_cyanocobalamin_label",),
            )
        )
    else:
        out.append(
            Note(
                "Absorption looks normal: oral 1-2 mg daily may be considered for maintenance once stores are "
                "replete (similar B12 levels to IM in small trials; low-quality evidence).",
                ("cochrane_oral_2018", "scotland_formulary"),
            )
        )
    if h.neurological_symptoms:
        out.append(
            Note(
                "Neurological involvement: the BNF gives hydroxocobalamin 1 mg on alternate days until no "
                "further improvement, then every 2 months.",
                ("bnf_hydroxocobalamin",),
            )
        )
    return out


# -- alerts and next tests ---------------------------------------------------------


def _alerts(
    case: Case,
    t: ThresholdSet,
    verdict: B12Verdict,
    findings: list[Finding],
    grade: int | None,
    a_grade: int | None,
    today: date | None,
) -> list[Alert]:
    base = case.baseline()
    h = case.history
    out: list[Alert] = []
    treat_refs = ("fda_cyanocobalamin_label",)
    onset = h.symptom_onset
    ref_day = case.treatment_start or today
    months = int(t["delay_months"])
    if onset and ref_day and ref_day > add_months(onset, months):
        days = (ref_day - onset).days
        what = "before treatment started" if case.treatment_start else "and treatment has not started"
        out.append(
            Alert(
                "delay_over_3_months",
                "warning",
                f"Symptoms began {days} days ({days / 30.44:.1f} months) {what}. Deficiency left untreated for "
                f"more than {months} months may cause permanent spinal cord damage; BSH advises not delaying "
                "treatment for further tests.",
                treat_refs + ("bsh_2014",),
            )
        )
    folate = base.get("folate")
    folate_low = bands.below(folate, t["folate_deficient_below"])
    if folate_low:
        out.append(
            Alert(
                "folate_deficiency",
                "warning",
                f"Folate {folate.display()} is low: the label advises giving folic acid as well, but never folic acid "
                "alone before B12 "
                "(it can correct the blood count while nerve damage progresses). In an emergency both may be "
                "given until assays return.",
                treat_refs + ("bnf_hydroxocobalamin", "bsh_2014"),
            )
        )
    drugs = [n for n in ("sulfasalazine", "methotrexate") if h.flag(n)]
    if drugs:
        out.append(
            Alert(
                "folate_antagonist_drugs",
                "warning",
                f"{' and '.join(d.capitalize() for d in drugs)} can cause folate deficiency: "
                + ("check folate." if folate is None else "folate has been measured; recheck if it falls."),
                ("bsh_2014",),
            )
        )
    if verdict.status in (DEFICIENT, INDETERMINATE) and not folate_low:
        out.append(
            Alert(
                "no_folate_alone",
                "info",
                "Do not give folic acid alone before B12: doses above 0.1 mg a day can mask the anaemia "
                "while neurological damage continues.",
                treat_refs + ("bnf_hydroxocobalamin",),
            )
        )
    if verdict.status == DEFICIENT:
        k = base.get("potassium")
        k_low = bands.below(k, t["potassium_lln"])
        severe = a_grade is not None and a_grade >= 3
        sev = "critical" if (severe or k_low) else "warning"
        extra = []
        if severe:
            extra.append("the anaemia is severe")
        if k_low:
            extra.append(f"potassium is already low ({k.display()})")
        out.append(
            Alert(
                "potassium_first_48h",
                sev,
                "The label advises watching serum potassium closely in the first 48 hours of treatment, replacing it "
                "as needed: "
                "correcting megaloblastic anaemia can cause hypokalaemia"
                + (" (" + "; ".join(extra) + ")" if extra else "")
                + ".",
                treat_refs,
            )
        )
    if h.metformin:
        out.append(
            Alert(
                "metformin",
                "info",
                "On metformin: a recognised cause of low B12; check B12 periodically while it continues.",
                ("mhra_metformin_2022",),
            )
        )
    if h.acid_suppression:
        out.append(
            Alert(
                "acid_suppression",
                "info",
                "Long-term acid suppression is linked to B12 deficiency: review the need for it.",
                ("lam_jama_2013",),
            )
        )
    if h.nitrous_oxide:
        out.append(
            Alert(
                "nitrous_oxide",
                "warning",
                "Nitrous oxide exposure: serum B12 can be normal in a functional deficiency (sensitivity "
                "20-50 %). Homocysteine and MMA are the better tests; stop the exposure.",
                ("prac_neurol_n2o", "nice_ng239"),
            )
        )
    b12 = base.get("b12")
    if b12 is not None and case.treatment_start is not None and b12.date >= case.treatment_start:
        out.append(
            Alert(
                "b12_after_injection",
                "warning",
                "The B12 result is from the day treatment started: a sample taken after the first injection "
                "reads falsely normal.",
                ("bsh_2014",),
            )
        )
    ferritin = base.get("ferritin")
    if bands.below(ferritin, t["ferritin_iron_deficient_below"]):
        out.append(
            Alert(
                "iron_deficiency",
                "warning",
                f"Ferritin {ferritin.display()} shows iron deficiency: it can hide macrocytosis and will "
                "blunt the response to B12; it is often unmasked once B12 starts.",
                ("who_ferritin_2020", "case_rep_hematol_2013", "fda_cyanocobalamin_label"),
            )
        )
    if verdict.status in (INDETERMINATE, UNLIKELY) and (
        h.neurological_symptoms or any(f.id == "macrocytosis" and f.present for f in findings)
    ):
        out.append(
            Alert(
                "discordant_result",
                "warning",
                "The B12 result does not match the clinical picture. BSH advises not delaying treatment when "
                "features are strong; some assays read falsely normal with intrinsic-factor antibodies.",
                ("bsh_2014",),
            )
        )
    present = {f.id: f.present for f in findings}
    if present.get("thrombocytopenia") and (present.get("hemolysis") or present.get("schistocytes")):
        out.append(
            Alert(
                "unsourced_misdiagnosis_rate",
                "info",
                "About the claim that B12 pseudo-TMA is 'misdiagnosed in up to 40 %': no primary source was "
                "found. The best primary figure is that 34 % (14/41) of published cases were given plasma "
                "therapy (Tran 2018).",
                ("article_unsourced", "tran_2018", "rao_cureus_2020"),
            )
        )
    return out


NEXT_TEST_LABELS = {
    "b12": "Serum B12 (or active B12)",
    "mma": "Methylmalonic acid (MMA)",
    "homocysteine": "Homocysteine",
    "folate": "Serum folate",
    "cbc": "Full blood count with MCV",
    "reticulocytes": "Reticulocyte count",
    "blood_film": "Blood film (schistocytes, hypersegmented neutrophils)",
    "ldh": "LDH",
    "haptoglobin": "Haptoglobin",
    "bilirubin": "Bilirubin (indirect)",
    "intrinsic_factor_antibodies": "Intrinsic-factor antibodies",
    "ferritin": "Ferritin / iron studies",
    "potassium": "Potassium",
    "adamts13": "ADAMTS13 activity",
    "creatinine": "Creatinine",
    "inr": "INR / coagulation",
}


def _next_tests(
    case: Case,
    t: ThresholdSet,
    verdict: B12Verdict,
    grade: int | None,
    a_grade: int | None,
    hemolysis: bool | None,
    schisto: bool | None,
) -> list[NextTest]:
    base = case.baseline()
    h = case.history
    out: list[NextTest] = []

    def add(tid: str, reason: str, refs: tuple[str, ...]) -> None:
        if all(n.id != tid for n in out):
            out.append(NextTest(tid, NEXT_TEST_LABELS[tid], reason, refs))

    if "b12" not in base and "holotc" not in base:
        add("b12", "No B12 or active B12 result: the diagnosis starts here.", ("nice_ng239",))
    if verdict.status == INDETERMINATE:
        if "mma" not in base:
            add("mma", "Indeterminate B12: MMA is the recommended test to settle it.", ("sands_bmj_2024",))
        if "homocysteine" not in base:
            add("homocysteine", "Indeterminate B12: homocysteine helps (less specific than MMA).", ("bsh_2014",))
    if h.nitrous_oxide and "homocysteine" not in base:
        add(
            "homocysteine",
            "Nitrous oxide exposure: homocysteine is the preferred functional marker.",
            ("nice_ng239", "prac_neurol_n2o"),
        )
    if "folate" not in base:
        add(
            "folate",
            "Folate deficiency gives the same blood picture and must not be treated alone first.",
            ("fda_cyanocobalamin_label", "bsh_2014"),
        )
    if any(a not in base for a in ("hemoglobin", "platelets", "mcv", "wbc")):
        add("cbc", "A full blood count grades the cytopenias and shows macrocytosis.", ("nice_ng239", "ctcae_v5"))
    if "reticulocytes_pct" not in base and "reticulocytes_abs" not in base:
        add(
            "reticulocytes",
            "A baseline count shows the marrow's response (low in B12 deficiency) and anchors the "
            "response check on days 5-7.",
            ("fda_cyanocobalamin_label", "tran_2018"),
        )
    cytopenia = (grade or 0) > 0 or (a_grade or 0) > 0
    if cytopenia and "schistocytes_seen" not in base and "schistocytes_pct" not in base:
        add(
            "blood_film",
            "Schistocytes would raise the question of TMA; hypersegmented neutrophils support megaloblastosis.",
            ("icsh_2021_schistocytes",),
        )
    if cytopenia:
        if "ldh" not in base:
            add(
                "ldh",
                "Very high LDH is typical of B12 pseudo-TMA (median 3981-7310 U/L).",
                ("tran_2018", "noel_qjm_2013"),
            )
        if "haptoglobin" not in base:
            add("haptoglobin", "Shows haemolysis; it counts in PLASMIC when undetectable.", ("bendapudi_2017",))
        if "bilirubin_indirect" not in base:
            add("bilirubin", "Indirect bilirubin above 2 mg/dL counts as haemolysis in PLASMIC.", ("bendapudi_2017",))
    if verdict.status in (DEFICIENT, INDETERMINATE) and h.pernicious_anemia is None:
        add(
            "intrinsic_factor_antibodies",
            "Pernicious anaemia means lifelong injections; antibodies are specific but positive in only 60-70 %.",
            ("khan_jcp_2009", "nice_ng239"),
        )
    if verdict.status == DEFICIENT and "ferritin" not in base:
        add(
            "ferritin",
            "Iron deficiency can hide macrocytosis and is often unmasked once B12 starts.",
            ("fda_cyanocobalamin_label", "case_rep_hematol_2013"),
        )
    if verdict.status == DEFICIENT and "potassium" not in base:
        add(
            "potassium",
            "Baseline potassium before treatment: it can fall in the first 48 h.",
            ("fda_cyanocobalamin_label",),
        )
    tma_picture = (grade or 0) > 0 and (hemolysis or schisto)
    if tma_picture:
        if "adamts13_activity" not in base:
            add(
                "adamts13",
                "Thrombocytopenia with haemolysis or schistocytes: send ADAMTS13 before any plasma, to "
                "tell TTP from B12 pseudo-TMA.",
                ("bendapudi_2017", "tran_2018"),
            )
        if "creatinine" not in base:
            add("creatinine", "Needed for PLASMIC.", ("bendapudi_2017",))
        if "inr" not in base:
            add("inr", "Needed for PLASMIC.", ("bendapudi_2017",))
    return out


# -- entry point -------------------------------------------------------------------


def diagnose(case: Case, thresholds: str | None = None, today: date | None = None) -> Diagnosis:
    """The whole diagnostic picture for ``case`` using the named threshold set."""
    t = threshold_set(thresholds)
    verdict = b12_verdict(case, t)
    findings, grade, a_grade, hemolysis, rpi = _blood_picture(case, t)
    cause_list, lifelong, life_reasons = causes(case, t)
    schisto = next(f.present for f in findings if f.id == "schistocytes")
    alerts = _alerts(case, t, verdict, findings, grade, a_grade, today)
    alerts = by_severity(alerts)
    return Diagnosis(
        b12=verdict,
        thrombocytopenia_grade=grade,
        anaemia_grade=a_grade,
        hemolysis=hemolysis,
        findings=tuple(findings),
        causes=tuple(cause_list),
        lifelong=lifelong,
        lifelong_reasons=tuple(life_reasons),
        route=tuple(route_advice(case, t)),
        alerts=tuple(alerts),
        next_tests=tuple(_next_tests(case, t, verdict, grade, a_grade, hemolysis, schisto)),
        thresholds_id=t.id,
        reticulocyte_production_index=rpi,
        values=case.baseline(),
    )
