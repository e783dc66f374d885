"""House rules that keep the core pure (style.md): checked on the source, not by convention."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGIC = sorted((ROOT / "logic").rglob("*.py"))  # packages too (logic/regimen/)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_logic_never_imports_streamlit():
    offenders = [p.name for p in LOGIC if "streamlit" in imports_of(p)]
    assert offenders == []


def test_only_the_figures_module_imports_plotly():
    offenders = [p.name for p in LOGIC if "plotly" in imports_of(p) and p.name != "figures.py"]
    assert offenders == []


def test_logic_never_reads_the_clock():
    pattern = re.compile(r"\b(date|datetime)\.(today|now|utcnow)\(")
    offenders = [p.name for p in LOGIC if pattern.search(p.read_text())]
    assert offenders == []


def test_no_removed_streamlit_arguments_or_unsafe_html():
    for path in list(ROOT.glob("app_pages/*.py")) + list(ROOT.glob("ui/*.py")) + [ROOT / "app.py"]:
        text = path.read_text()
        assert "use_container" + "_width" not in text, path  # spelt in two parts so house greps skip this test
        assert "unsafe_allow" + "_html=True" not in text, path


def test_modules_of_a_logic_package_stay_under_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "logic").glob("*/*.py")
            if (n := len(p.read_text().splitlines())) > 500}  # fmt: skip
    assert long == {}
