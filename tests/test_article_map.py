"""Every clinical statement of the source article is reachable in the app (data/article_map.json)."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.reference import load_json, references
from tests.published import shared_file

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = shared_file("clinical/source-article.md")
STATEMENTS = load_json("article_map.json")["statements"]

# distinctive phrases of each clinical statement in the article, and the map entry that covers it
ARTICLE_PHRASES = {
    "monthly maintenance of 1000 mcg for life": "regimen_headline",
    "<180 ng/L: Confirmed deficiency": "b12_bands",
    "180-350 ng/L: Indeterminate": "b12_bands",
    "350 ng/L: Unlikely deficiency": "b12_bands",
    "Methylmalonic acid (MMA)": "indeterminate_tests",
    "may present as isolated finding": "thrombocytopenia_isolated",
    "Microangiopathic hemolytic anemia (pseudo-TMA)": "pseudo_tma",
    "Pancytopenia": "pancytopenia",
    "Schistocytes on peripheral smear": "schistocytes",
    "1000 mcg daily for 6-7 days": "im_daily",
    "Evaluate reticulocyte response": "monitor_response",
    "1000 mcg monthly intramuscular injections indefinitely": "maintenance_monthly",
    "ileal resection >20 cm, lifelong B12 supplementation is mandatory": "ileal_lifelong",
    "approximately 2.5% of cases": "mimic_2_5",
    "Misdiagnosis occurs in up to 40% of cases": "misdiagnosis_40",
    "megaloblastic changes in bone marrow": "distinguishing",
    "Avoid intravenous administration": "avoid_iv",
    "Intramuscular route is preferred": "im_preferred",
    "not reliable for those with pernicious anemia or malabsorption": "oral_maintenance",
    "Metformin use": "causes",
    "Monitor platelet count until normalization": "monitor_platelets",
    "Assess B12 levels periodically": "b12_periodically",
    "Hyperhomocysteinemia": "screen_complications",
    "Misdiagnosing as TTP": "pitfall_ttp",
    "more than 3 months may cause permanent neurological damage": "pitfall_delay",
    "Inadequate maintenance": "pitfall_maintenance",
    "sulfasalazine or methotrexate": "pitfall_folate",
    "should rely on clinical judgment": "disclaimer",
}


def test_every_phrase_is_in_the_article():
    text = re.sub(r"\s+", " ", ARTICLE.read_text())
    missing = [p for p in ARTICLE_PHRASES if p not in text]
    assert missing == []


def test_every_article_statement_is_mapped_and_every_entry_is_used():
    ids = {s["id"] for s in STATEMENTS}
    assert set(ARTICLE_PHRASES.values()) == ids


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda s: s["id"])
def test_each_entry_says_where_it_is_and_cites_known_sources(statement):
    assert statement["status"] in {"supported", "qualified", "unsourced"}
    assert statement["where"] and statement["evidence"]
    assert set(statement["refs"]) <= set(references())


def test_the_unsourced_40_percent_claim_is_marked_unsourced():
    entry = next(s for s in STATEMENTS if s["id"] == "misdiagnosis_40")
    assert entry["status"] == "unsourced" and "article_unsourced" in entry["refs"]


def test_evidence_page_lists_every_statement():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/evidence.py").run()
    assert [e.message for e in at.exception] == []
    body = " ".join(m.value for m in at.markdown)
    for s in STATEMENTS:
        assert s["text"][:40] in body, s["id"]
    assert len(at.table[0].value) == len(__import__("logic.reference", fromlist=["x"]).threshold_set().values)
