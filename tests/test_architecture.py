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
    offenders = [p.name for p in LOGIC if "plotly" in imports_of(p) and p.parent.name != "figures"]
    assert offenders == []


def test_logic_never_reads_the_clock():
    pattern = re.compile(r"\b(date|datetime)\.(today|now|utcnow)\(")
    offenders = [p.name for p in LOGIC if pattern.search(p.read_text())]
    assert offenders == []


def test_no_removed_streamlit_arguments_or_unsafe_html():
    for path in list(ROOT.glob("app_pages/**/*.py")) + list(ROOT.glob("ui/*.py")) + [ROOT / "app.py"]:
        text = path.read_text()
        assert "use_container" + "_width" not in text, path  # spelt in two parts so house greps skip this test
        assert "unsafe_allow" + "_html=True" not in text, path


# -- session keys (style.md habit 16: one session object; a page never reads another page's keys) --

KEY_PREFIX = {
    "app_pages/case.py": "case_",
    **{f"app_pages/case_sections/{m}.py": "case_"
       for m in ("fields", "source", "printout", "patient", "history", "labs")},
    "app_pages/diagnosis.py": "dx_",
    "app_pages/ttp.py": "ttp_",
    "app_pages/regimen.py": "reg_",
    "app_pages/recovery.py": "rec_",
    "app_pages/library.py": "lib_",
    "app_pages/evidence.py": "ev_",
    "app_pages/record.py": "ehr_",
    "ui/sidebar.py": "app_",  # the sidebar on every page
    "ui/banner.py": "app_",  # the banner above every page
}
# the loose keys the open case was once spread over; now fields of ui.session.OpenCase
OLD_CASE_KEYS = {"case_doc", "case_id", "case_version", "case_read_only", "case_source", "case_conflict",
                 "case_rev", "case_errors", "teach_revealed", "reg_current"}
APP_MODULES = sorted(ROOT.glob("app_pages/**/*.py")) + sorted(ROOT.glob("ui/*.py")) + [ROOT / "app.py"]


def _literal_start(node: ast.AST) -> str | None:
    """The text a key expression starts with: a string, or the leading text of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    return None


def session_keys(source: str) -> list[str]:
    """Every session-state key a module names: ``ss[k]``, ``ss.get/pop/setdefault(k)``, ``k in ss``
    (``ss`` being ``st.session_state`` or a name bound to it) and widget ``key=`` arguments."""
    tree = ast.parse(source)
    aliases = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == "session_state"
        for t in node.targets
        if isinstance(t, ast.Name)
    }

    def is_state(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id in aliases) or (
            isinstance(node, ast.Attribute) and node.attr == "session_state"
        )

    exprs: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and is_state(node.value):
            exprs.append(node.slice)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and is_state(func.value) and node.args:
                exprs.append(node.args[0])
            exprs += [kw.value for kw in node.keywords if kw.arg == "key"]
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            if any(is_state(c) for c in node.comparators):
                exprs.append(node.left)
    return [k for k in map(_literal_start, exprs) if k is not None]


def foreign_keys(source: str, own_prefix: str) -> list[str]:
    others = tuple(p for p in KEY_PREFIX.values() if p != own_prefix)
    return [k for k in session_keys(source) if k.startswith(others)]


def test_the_key_scanner_finds_reads_and_writes_of_other_pages_keys():
    source = (
        "import streamlit as st\nss = st.session_state\n"
        "a = st.session_state.get('case_errors')\nb = ss['reg_current']\nss['app_x'] = 1\n"
        "c = 'lib_y' in ss\nst.button('Go', key=f'rec_{a}')\nss.setdefault('dx_own', 1)\nd = ss['dx_mine']\n"
    )
    assert foreign_keys(source, "dx_") == ["case_errors", "reg_current", "app_x", "lib_y", "rec_"]
    assert foreign_keys(source, "case_") == ["reg_current", "app_x", "lib_y", "rec_", "dx_own", "dx_mine"]


def test_pages_and_the_sidebar_use_only_their_own_prefixed_session_keys():
    pages = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("app_pages/**/*.py") if p.name != "__init__.py")
    assert pages == sorted(k for k in KEY_PREFIX if k.startswith("app_pages/")), (
        "a new page (or a page's section module) needs its key prefix here")
    offenders = {
        name: keys for name, prefix in KEY_PREFIX.items() if (keys := foreign_keys((ROOT / name).read_text(), prefix))
    }
    assert offenders == {}


def test_only_ui_session_holds_the_open_case_keys():
    from ui.session import SESSION_KEY

    offenders = []
    for path in APP_MODULES:
        if path == ROOT / "ui" / "session.py":
            continue
        text = path.read_text()
        offenders += [
            (path.name, node.value)
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Constant) and node.value in OLD_CASE_KEYS | {SESSION_KEY}
        ]
        if "SESSION_KEY" in text:
            offenders.append((path.name, "SESSION_KEY"))
    assert offenders == []
    assert f'SESSION_KEY = "{SESSION_KEY}"' in (ROOT / "ui" / "session.py").read_text()

