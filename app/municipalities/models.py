"""Municipalities (Covenant signatories), their SEAP actions and monitoring reports."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.search import sort_key
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Municipality(db.Model):
    """A Covenant signatory followed by the project. Public fields: everything but `notes` and members."""

    __tablename__ = "municipalities"
    __table_args__ = (
        UniqueConstraint("country", "name", name="uq_municipalities_country_name"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
        CheckConstraint("reduction_target_percent IS NULL OR "
                        "(reduction_target_percent >= 0 AND reduction_target_percent <= 100)", name="target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # The name folded (no case, no accents: app.core.search.sort_key), kept by `_fold_name`: the list order.
    sort_name: Mapped[str] = mapped_column(String(200), index=True, default="", server_default="")
    country: Mapped[str] = mapped_column(String(2), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    supporting_organisation: Mapped[str] = mapped_column(String(200), default="")
    covenant_signed_on: Mapped[date | None] = mapped_column(Date)
    seap_submitted_on: Mapped[date | None] = mapped_column(Date)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    target_year: Mapped[int | None] = mapped_column(Integer)
    reduction_target_percent: Mapped[float | None] = mapped_column(Float)
    baseline_emissions_t: Mapped[float | None] = mapped_column(Float)  # t CO2 in the baseline year
    # The target is a reduction per inhabitant (else of the total); progress from inventories follows it.
    target_per_capita: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    notes: Mapped[str] = mapped_column(Text, default="")  # internal, for its followers and editors
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[MunicipalityMember]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan", order_by="MunicipalityMember.id")
    actions: Mapped[list[SeapAction]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan", order_by="SeapAction.id")
    reports: Mapped[list[MonitoringReport]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan",
        order_by="MonitoringReport.submitted_on")
    inventories: Mapped[list[Inventory]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan", order_by="Inventory.year")

    @validates("name")
    def _fold_name(self, _key: str, value: str) -> str:
        """Every way a name is set (create, rename, import) keeps `sort_name` in step."""
        self.sort_name = sort_key(value)
        return value

    def __repr__(self) -> str:
        return f"<Municipality {self.id} {self.name} ({self.country})>"

    def membership(self, user) -> MunicipalityMember | None:
        """The user's membership row, whatever its status (an invitation too)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return next((m for m in self.members if m.user_id == user.id), None)

    def member_role(self, user) -> str | None:
        """follower or editor, once the person accepted; an invitation gives no rights."""
        member = self.membership(user)
        return member.role if member is not None and member.is_accepted else None

    def can_invite(self, user) -> bool:
        """Admins, and accepted members who are granted coordinators or supporters, or editors."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return user.is_admin or (self.member_role(user) is not None
                                 and (user.is_coordinator or self.member_role(user) == "editor"))

    @staticmethod
    def can_create(user) -> bool:
        """Administrators, coordinators and supporters add municipalities."""
        return bool(user is not None and getattr(user, "is_authenticated", False)
                    and (user.is_admin or user.is_coordinator))

    def can_edit(self, user) -> bool:
        """Admins, the coordinators and supporters who follow it, and its municipality officers."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return user.is_admin or self.member_role(user) is not None

    def can_see_private(self, user) -> bool:
        """Notes and members: those who may edit, and the platform's staff."""
        return self.can_edit(user) or bool(user is not None and getattr(user, "is_authenticated", False)
                                           and user.is_trainer)

    @property
    def followers(self):
        return [m.user for m in self.members if m.role == "follower" and m.is_accepted]

    @property
    def editors(self):
        return [m.user for m in self.members if m.role == "editor" and m.is_accepted]

    @property
    def invited(self):
        return [m for m in self.members if m.status == "invited"]


class MunicipalityMember(db.Model):
    """A coordinator or supporter following a municipality, or a municipality officer editing it.

    Adding someone is an invitation: it gives rights only once they accept (`status` accepted).
    """

    __tablename__ = "municipality_members"
    __table_args__ = (
        UniqueConstraint("municipality_id", "user_id", name="uq_municipality_members_municipality_user"),
        CheckConstraint("role IN ('follower', 'editor')", name="role"),
        CheckConstraint("status IN ('invited', 'accepted', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="follower")
    status: Mapped[str] = mapped_column(String(10), default="invited")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id])
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    @property
    def is_accepted(self) -> bool:
        return self.status == "accepted"


class SeapAction(db.Model):
    """One action of a Sustainable Energy Action Plan, with expected and (once done) achieved values."""

    __tablename__ = "seap_actions"
    __table_args__ = (
        CheckConstraint("status IN ('not-started', 'ongoing', 'completed', 'postponed', 'cancelled')",
                        name="status"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(40), index=True)
    area: Mapped[str] = mapped_column(String(40))
    instrument: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="not-started", index=True)
    responsible_body: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    expected_co2_t: Mapped[float | None] = mapped_column(Float)  # t CO2 per year
    expected_energy_saving_mwh: Mapped[float | None] = mapped_column(Float)  # MWh per year
    expected_renewable_mwh: Mapped[float | None] = mapped_column(Float)  # MWh per year
    investment_eur: Mapped[float | None] = mapped_column(Float)
    achieved_co2_t: Mapped[float | None] = mapped_column(Float)
    achieved_energy_saving_mwh: Mapped[float | None] = mapped_column(Float)
    achieved_renewable_mwh: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="actions")

    def can_edit(self, user) -> bool:
        return self.municipality.can_edit(user)


class MonitoringReport(db.Model):
    """A monitoring report sent to the Covenant: an action report, or a full report with an MEI."""

    __tablename__ = "monitoring_reports"
    __table_args__ = (CheckConstraint("kind IN ('action', 'full')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    monitoring_year: Mapped[int | None] = mapped_column(Integer)
    emissions_t: Mapped[float | None] = mapped_column(Float)  # t CO2 in the monitoring year (MEI)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="reports")


class Inventory(db.Model):
    """An emission inventory: the baseline (BEI) or a monitoring one (MEI) of a municipality for a year.

    It holds energy (MWh by sector and carrier, local production); emissions are computed, never stored
    (app/municipalities/inventory.py).
    """

    __tablename__ = "inventories"
    __table_args__ = (
        UniqueConstraint("municipality_id", "kind", "year", name="uq_inventories_municipality_kind_year"),
        CheckConstraint("kind IN ('baseline', 'monitoring')", name="kind"),
        CheckConstraint("approach IN ('ipcc', 'lca')", name="approach"),
        CheckConstraint("unit IN ('t-co2', 't-co2-eq')", name="unit"),
        CheckConstraint("year >= 1990 AND year <= 2100", name="year"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
        CheckConstraint("green_electricity_mwh >= 0", name="green"),
        CheckConstraint("heat_factor IS NULL OR heat_factor >= 0", name="heat_factor"),
        CheckConstraint("other_fossil_factor IS NULL OR other_fossil_factor >= 0", name="other_fossil_factor"),
        Index("uq_inventories_one_baseline", "municipality_id", unique=True,
              sqlite_where=text("kind = 'baseline'"), postgresql_where=text("kind = 'baseline'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    approach: Mapped[str] = mapped_column(String(8), default="ipcc")
    unit: Mapped[str] = mapped_column(String(10), default="t-co2")
    population: Mapped[int | None] = mapped_column(Integer)
    green_electricity_mwh: Mapped[float] = mapped_column(Float, default=0.0)
    heat_factor: Mapped[float | None] = mapped_column(Float)  # t/MWh, a supplier's
    other_fossil_factor: Mapped[float | None] = mapped_column(Float)  # t/MWh
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="inventories")
    cells: Mapped[list[InventoryCell]] = relationship(
        back_populates="inventory", cascade="all, delete-orphan", order_by="InventoryCell.id")
    plants: Mapped[list[InventoryPlant]] = relationship(
        back_populates="inventory", cascade="all, delete-orphan", order_by="InventoryPlant.id")

    def can_edit(self, user) -> bool:
        return self.municipality.can_edit(user)

    @property
    def is_baseline(self) -> bool:
        return self.kind == "baseline"

    def as_input(self):
        """The plain values the calculation reads."""
        from app.municipalities.inventory import InventoryInput, Plant

        def plant(p):
            return Plant(p.kind, p.mwh, {i.carrier: i.mwh for i in p.inputs})

        return InventoryInput(
            country=self.municipality.country, year=self.year, approach=self.approach,
            population=self.population, consumption={(c.sector, c.carrier): c.mwh for c in self.cells},
            local_electricity=[plant(p) for p in self.plants if p.product == "electricity"],
            local_heat=[plant(p) for p in self.plants if p.product == "heat"],
            green_electricity_mwh=self.green_electricity_mwh or 0.0, heat_factor=self.heat_factor,
            other_fossil_factor=self.other_fossil_factor)


class InventoryCell(db.Model):
    """Final energy consumption of one sector and carrier, MWh."""

    __tablename__ = "inventory_cells"
    __table_args__ = (
        UniqueConstraint("inventory_id", "sector", "carrier", name="uq_inventory_cells_inventory_sector_carrier"),
        CheckConstraint("mwh >= 0", name="mwh"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(40))
    carrier: Mapped[str] = mapped_column(String(40))
    mwh: Mapped[float] = mapped_column(Float)

    inventory: Mapped[Inventory] = relationship(back_populates="cells")


class InventoryPlant(db.Model):
    """Local electricity (or heat/cold) production counted in an inventory, with its fuel inputs."""

    __tablename__ = "inventory_plants"
    __table_args__ = (
        CheckConstraint("product IN ('electricity', 'heat')", name="product"),
        CheckConstraint("mwh >= 0", name="mwh"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(12), default="electricity")
    kind: Mapped[str] = mapped_column(String(40))
    mwh: Mapped[float] = mapped_column(Float)

    inventory: Mapped[Inventory] = relationship(back_populates="plants")
    inputs: Mapped[list[InventoryPlantInput]] = relationship(
        back_populates="plant", cascade="all, delete-orphan", order_by="InventoryPlantInput.id")


class InventoryPlantInput(db.Model):
    """Fuel burnt by a local plant, MWh."""

    __tablename__ = "inventory_plant_inputs"
    __table_args__ = (CheckConstraint("mwh >= 0", name="mwh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("inventory_plants.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    mwh: Mapped[float] = mapped_column(Float)

    plant: Mapped[InventoryPlant] = relationship(back_populates="inputs")


class EmissionFactor(db.Model):
    """An emission factor admins maintain: national electricity factors (carrier electricity, per country,
    year and approach) and life-cycle factors of fuels. The standard IPCC fuel factors are built in."""

    __tablename__ = "emission_factors"
    __table_args__ = (
        UniqueConstraint("carrier", "country", "year", "approach", name="uq_emission_factors_key"),
        CheckConstraint("approach IN ('ipcc', 'lca')", name="approach"),
        CheckConstraint("factor >= 0", name="factor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    approach: Mapped[str] = mapped_column(String(8))
    factor: Mapped[float] = mapped_column(Float)  # t CO2 (or CO2-eq) per MWh
    source: Mapped[str] = mapped_column(String(300), default="")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # demo data, not a published value
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
