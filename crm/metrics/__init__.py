"""The metrics feature: conversion snapshots by programme and group, computed by a worker."""

from flask import Blueprint

bp = Blueprint("metrics", __name__, url_prefix="/metrics")

from crm.metrics import views  # noqa: E402,F401
