"""Reference lists: ISIC sectors and districts."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class Sector(Timestamped, Base):
    """An ISIC Rev.4 section (A-U) or division (01-99)."""

    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"), index=True)

    parent = relationship("Sector", remote_side=[id])

    def label(self, locale: str = "es") -> str:
        """Return 'code – name' in the given language."""
        name = self.name_en if locale == "en" else self.name_es
        return f"{self.code} – {name}"


class District(Timestamped, Base):
    """A district with its province and region (Callao, Lima, ...)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))
    ubigeo: Mapped[str] = mapped_column(String(6), unique=True)
