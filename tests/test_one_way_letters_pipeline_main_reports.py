"""Letters, pipeline, the start page and reports do each thing the one way (issue 12), checked in the source.

The request commits or rolls back (crm.transactions), refusals are crm.errors.UserError or StaleEditError,
what a role may do is a named permission in crm.permissions (never a role name compared in a view, service,
query or template), and the request helpers come from crm.web.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm.permissions import PERMISSIONS

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("letters", "pipeline", "main", "reports")
ROLES = "admin|manager|staff|liaison|viewer"


def sources(feature: str) -> list[Path]:
    """Return the feature's Python modules and templates (its __init__ wires the blueprint only)."""
    python = [p for p in (ROOT / "crm" / feature).glob("*.py") if p.name != "__init__.py"]
    return sorted(python) + sorted((ROOT / "templates" / feature).rglob("*.html"))


def offending(feature: str, pattern: str) -> list[str]:
    """Return 'file:line: text' for each line of the feature matching the pattern."""
    found = []
    for path in sources(feature):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("feature", FEATURES)
def test_no_commit_or_rollback_outside_the_request_boundary(feature):
    assert offending(feature, r"session\.(commit|rollback)\(") == []


@pytest.mark.parametrize("feature", FEATURES)
def test_no_feature_error_classes(feature):
    assert offending(feature, r"^class \w+\((ValueError|Exception|\w+Error)\)") == []


@pytest.mark.parametrize("feature", FEATURES)
def test_no_role_names_compared(feature):
    compares = offending(feature, r"\.role\s*(==|!=|in\b|not\s+in\b)")
    literals = offending(feature, rf"""["']({ROLES})["']""")
    assert compares + literals == []


@pytest.mark.parametrize("feature", FEATURES)
def test_no_local_request_helpers(feature):
    helpers = r"def (to_int|to_id|locale|wants_json)\(|listing import .*\bto_id"
    pattern = rf"get_locale\(|config\[\"PAGE_SIZE\"\]|{helpers}"
    assert offending(feature, pattern) == []


def test_the_permissions_these_features_use_exist():
    used = set()
    for feature in FEATURES:
        for path in sources(feature):
            text = path.read_text("utf-8")
            used |= set(re.findall(r"""can\((?:\w+, )?["']([\w.]+)["']\)""", text))
            used |= set(re.findall(r"""(?:PERMISSIONS\[|roles_with\()["']([\w.]+)["']""", text))
    assert {"work.view", "evidence.view_all", "portal.use", "org.own"} <= used
    assert used <= set(PERMISSIONS)
