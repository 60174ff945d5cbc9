"""Each thing is done one way (issue 12), checked over the whole source tree.

The request commits or rolls back (crm.transactions), refusals are crm.errors.UserError or StaleEditError,
jobs are functions enqueued by reference from crm (workers/ holds only the worker and the periodic list),
every feature registers its blueprint through blueprint.py, what a role may do is a named permission in
crm/permissions.py, and the request helpers come from crm.web.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm.blueprints import FEATURES

ROOT = Path(__file__).resolve().parents[1]
ROLES = "admin|manager|staff|liaison|viewer"
# Where a role name is data rather than a decision: the table itself, the enum, the labels, the demo users,
# the CLI's choice list, the feature list (the liaison portal is a feature).
ROLE_HOMES = {"crm/permissions.py", "crm/models/user.py", "crm/labels.py", "crm/cli.py", "crm/blueprints.py"}
# Results of an import run (per cell, row or file), transport faults (Redis, SMTP): not refusals of a request.
NOT_REQUEST_ERRORS = {"CellError", "AmbiguousNumberError", "RowWriteError", "ImportFileError",
                      "UnsafeWorkbookError", "UnforeseenWriteError", "RedisUnavailableError",
                      "TransientMailError", "PermanentMailError", "MailDeferredError",
                      "WebhookDeferredError"}  # fmt: skip


def files(pattern: str, under: str = "crm") -> list[Path]:
    """Return the project's files matching a glob below a folder."""
    return sorted((ROOT / under).rglob(pattern))


def matches(paths: list[Path], pattern: str) -> list[str]:
    """Return 'file:line: text' for each line matching the pattern."""
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_views_never_commit_or_roll_back():
    views = [p for p in files("*.py") if p.name == "views.py" or p.name.endswith("_views.py")]
    assert len(views) > 15
    assert matches(views, r"session\.(commit|rollback)\(") == []


def test_services_never_commit_or_roll_back():
    services = files("services.py")
    assert matches(services, r"session\.(commit|rollback)\(") == []


def test_one_user_error_and_one_stale_edit_class():
    classes = matches(files("*.py"), r"^class \w+\((ValueError|Exception|\w*Error)\)")
    names = {re.search(r"class (\w+)", line).group(1) for line in classes}
    assert names - NOT_REQUEST_ERRORS == {"UserError", "StaleEditError"}
    homes = {line.split(":")[0] for line in classes if "UserError" in line or "StaleEditError" in line}
    assert homes == {"crm/errors.py"}


def test_nothing_in_crm_imports_workers():
    assert matches(files("*.py"), r"^\s*(from|import) workers\b") == []


def test_jobs_are_referenced_by_function_not_by_dotted_string():
    sources = files("*.py") + files("*.py", "workers")
    assert matches(sources, r"""["'](workers|crm)\.[\w.]+\.\w+["']""") == []


def test_workers_holds_only_the_worker_and_the_periodic_list():
    names = {p.name for p in (ROOT / "workers").glob("*.py")}
    assert names == {"__init__.py", "worker.py", "periodic.py"}


@pytest.mark.parametrize("feature", FEATURES)
def test_every_feature_registers_through_its_blueprint_module(feature):
    package = ROOT / "crm" / feature
    assert (package / "blueprint.py").exists()
    assert "Blueprint" not in (package / "__init__.py").read_text(encoding="utf-8")


def test_imports_exports_and_merge_are_separate_features():
    assert {"imports", "exports", "merge"} <= set(FEATURES)
    assert (
        not (ROOT / "crm/imports/merge.py").exists() and not (ROOT / "crm/imports/exports_views.py").exists()
    )


def test_no_role_name_compared_outside_the_permission_module():
    python = [
        p for p in files("*.py") if str(p.relative_to(ROOT)) not in ROLE_HOMES and "demo" not in p.parts
    ]
    templates = files("*.html", "templates")
    compares = [
        line
        for line in matches(python + templates, r"\.role\s*(==|!=|in\b|not\s+in\b)")
        if "data, not a decision" not in line
    ]
    literals = [
        line
        for line in matches(python + templates, rf"""["']({ROLES})["']""")
        if "Blueprint(" not in line and "data, not a decision" not in line
    ]
    assert compares + literals == []


def test_request_helpers_are_not_copied():
    pattern = r"def (to_id|locale|per_page|page_size|wants_json)\("
    copies = [
        line
        for line in matches(files("*.py"), pattern)
        if not line.startswith(("crm/web.py", "crm/errors.py"))
    ]
    assert copies == []


def test_every_permission_asked_for_is_in_the_table():
    from crm.permissions import PERMISSIONS

    used = set()
    for path in files("*.py") + files("*.html", "templates"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:can|require)\((?:[\w.]+, )?["']([\w.]+)["']\)""", text))
        used |= set(re.findall(r"""(?:PERMISSIONS\[|roles_with\()["']([\w.]+)["']""", text))
    assert len(used) > 30  # the search really saw the checks
    assert used - set(PERMISSIONS) == set()
