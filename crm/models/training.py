"""Training modules: the reference list events of type training point to."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, Timestamped


class TrainingTheme(StrEnum):
    """The theme a training module belongs to (the indicators count per theme)."""

    ZIS_PLANNING = "zis_planning"  # planning sustainable industrial zones
    CHEMICALS = "chemicals"  # sound chemicals management, u-POPs
    RECP = "recp"  # resource-efficient and cleaner production, energy efficiency
    OTHER = "other"


TRAINING_THEMES = tuple(member.value for member in TrainingTheme)


class TrainingModule(Timestamped, Base):
    """A module of the training programme (admin-editable; deactivated modules are no longer offered)."""

    __tablename__ = "training_modules"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(30), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str = "es") -> str:
        """Return the name in the given language."""
        return self.name_en if locale == "en" else self.name_es
