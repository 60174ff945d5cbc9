"""Configuration: environment parsing and the production guard rails."""

from __future__ import annotations

import importlib

import pytest

import config


def reload_config(monkeypatch, **env):
    """Reload config.py under a given environment."""
    for name in ("SECRET_KEY", "DATABASE_URL", "CRM_ENV", "PAGE_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(config)


@pytest.fixture(autouse=True)
def _restore_config():
    yield
    importlib.reload(config)


def test_production_refuses_the_default_secret(monkeypatch):
    cfg = reload_config(monkeypatch, DATABASE_URL="postgresql://x@127.0.0.1/db")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        cfg.ProductionConfig.check()


def test_production_refuses_to_run_without_database_url(monkeypatch):
    cfg = reload_config(monkeypatch, SECRET_KEY="a" * 40)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        cfg.ProductionConfig.check()


def test_production_accepts_real_settings_and_secures_cookies(monkeypatch):
    cfg = reload_config(monkeypatch, SECRET_KEY="s" * 40, DATABASE_URL="postgres://u@h/db")
    cfg.ProductionConfig.check()
    assert cfg.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert cfg.ProductionConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")


def test_create_app_in_production_fails_fast(monkeypatch):
    reload_config(monkeypatch, CRM_ENV="production")
    from crm import create_app

    with pytest.raises(RuntimeError):
        create_app()


def test_typed_parsing_rejects_garbage(monkeypatch):
    with pytest.raises(RuntimeError, match="PAGE_SIZE"):
        reload_config(monkeypatch, PAGE_SIZE="many")


def test_unknown_environment_name_is_refused(monkeypatch):
    with pytest.raises(RuntimeError, match="CRM_ENV"):
        reload_config(monkeypatch).get_config("staging")
