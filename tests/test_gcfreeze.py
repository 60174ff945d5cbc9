"""A process freezes what its first requests built, once per configured count of requests."""

from __future__ import annotations

import gc

from crm import create_app


def test_the_requests_at_each_mark_freeze_what_the_process_keeps(app):
    served = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        REDIS_URL=app.config["REDIS_URL"], GC_FREEZE_AFTER=(2, 4))  # fmt: skip
    client = served.test_client()
    gc.unfreeze()  # whatever an earlier test left frozen: this one counts from nothing
    try:
        client.get("/auth/login")
        assert gc.get_freeze_count() == 0
        client.get("/auth/login")
        first = gc.get_freeze_count()
        assert first > 0
        gc.unfreeze()
        client.get("/auth/login")
        assert gc.get_freeze_count() == 0  # between the marks nothing is frozen
        client.get("/auth/login")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_suite_and_an_empty_setting_never_freeze(app):
    assert app.config["GC_FREEZE_AFTER"] == ()
    client = app.test_client()
    before = gc.get_freeze_count()
    for _ in range(3):
        client.get("/auth/login")
    assert gc.get_freeze_count() <= before  # frozen objects may be freed; none were added
