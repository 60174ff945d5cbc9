"""add emission results, versioned emission factors and measures; load factors, measures, GEF indicators

Issue 15: a company's baseline per programme, the measures it adopts with their expected and achieved
reductions (one line per energy carrier, each keeping the version of the emission factor it was computed
with), and the reference data: emission factors with their source and year, the list of measures, and the
three GEF core indicators of the results framework (GHG reduced, u-POPs eliminated, energy saved).

Revision ID: 0018_results
Revises: 0017_search_views
Create Date: 2026-12-06 05:30:00.000000
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_results'
down_revision = '0017_search_views'
branch_labels = None
depends_on = None

IPCC = ("IPCC 2006 Guidelines, Vol. 2 (Energy), ch. 2, table 2.3 (manufacturing industries): CO2 {co2} kg/TJ,"
        " CH4 {ch4} kg/TJ, N2O {n2o} kg/TJ; GWP100 of the IPCC AR5 (CH4 28, N2O 265); per GJ of net"
        " calorific value")
# (carrier, tCO2eq per unit, unit, source, year). Fuels: (CO2 + 28 CH4 + 265 N2O) kg/TJ / 10^6.
FACTORS = [
    ("electricity", "0.20000000", "tCO2eq/MWh",
     "Peru's national grid (SEIN), average operating factor as used by MINAM's Huella de Carbono Perú;"
     " value to be confirmed by the PMU against MINAM's latest publication (a new version keeps earlier"
     " results as computed)", 2021),
    ("natural_gas", "0.05615450", "tCO2eq/GJ", IPCC.format(co2="56,100", ch4="1", n2o="0.1"), 2006),
    ("diesel", "0.07434300", "tCO2eq/GJ", IPCC.format(co2="74,100", ch4="3", n2o="0.6"), 2006),
    ("lpg", "0.06315450", "tCO2eq/GJ", IPCC.format(co2="63,100", ch4="1", n2o="0.1"), 2006),
    ("other_fuel", "0.07764300", "tCO2eq/GJ",
     IPCC.format(co2="77,400", ch4="3", n2o="0.6") + " (residual fuel oil)", 2006),
]
MEASURES = [
    ("furnace_replacement", "Reemplazo de hornos", "Furnace replacement"),
    ("boiler_tuning", "Ajuste y mantenimiento de calderas", "Boiler tuning"),
    ("heat_recovery", "Recuperación de calor", "Heat recovery"),
    ("fuel_switch", "Cambio de combustible", "Fuel switch"),
    ("lighting", "Iluminación eficiente", "Efficient lighting"),
    ("motors", "Motores y variadores eficientes", "Efficient motors and drives"),
    ("compressed_air", "Aire comprimido: fugas y presión", "Compressed air: leaks and pressure"),
    ("insulation", "Aislamiento térmico", "Thermal insulation"),
    ("solar_thermal", "Calentamiento solar térmico", "Solar thermal heating"),
    ("solar_pv", "Energía solar fotovoltaica", "Solar photovoltaics"),
    ("upops_control", "Control de emisiones de COP no intencionales", "u-POPs emission control"),
]
GEF_INDICATORS = [
    ("GEF-6", "Direct GHG emissions reduced (GEF core indicator 6)",
     "Emisiones directas de GEI reducidas (indicador básico 6 del GEF)", "tCO2eq", "305987",
     "tco2eq reduced by verified results", 20),
    ("GEF-10", "u-POPs releases eliminated (GEF core indicator 10)",
     "Emisiones de COP no intencionales eliminadas (indicador básico 10 del GEF)", "µg TEQ/yr", "1492700",
     "u-pops eliminated by verified results", 21),
    ("GEF-6.3", "Energy saved (GEF core indicator 6.3)",
     "Energía ahorrada (indicador básico 6.3 del GEF)", "MJ", None,
     "energy saved by verified results", 22),
]

factors = sa.table(
    "emission_factors",
    sa.column("carrier", sa.String), sa.column("version", sa.Integer), sa.column("value", sa.Numeric),
    sa.column("unit", sa.String), sa.column("source", sa.Text), sa.column("year", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
measures = sa.table(
    "measures",
    sa.column("code", sa.String), sa.column("name_es", sa.String), sa.column("name_en", sa.String),
    sa.column("active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
indicators = sa.table(
    "indicators",
    sa.column("code", sa.String), sa.column("name_es", sa.String), sa.column("name_en", sa.String),
    sa.column("unit", sa.String), sa.column("target", sa.Numeric), sa.column("computed_from", sa.Text),
    sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def create_tables():
    op.create_table('measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_es', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measures')),
    sa.UniqueConstraint('code', name=op.f('uq_measures_code'))
    )
    op.create_table('emission_factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=16, scale=8), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_emission_factors_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emission_factors')),
    sa.UniqueConstraint('carrier', 'version', name='uq_emission_factors_carrier_version')
    )
    with op.batch_alter_table('emission_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emission_factors_carrier'), ['carrier'], unique=False)
        batch_op.create_index(batch_op.f('ix_emission_factors_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('measure_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['documents.id'], name=op.f('fk_measure_results_evidence_id_documents')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_results_measure_id_measures')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_measure_results_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_measure_results_programme_id_programmes')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_measure_results_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_results'))
    )
    with op.batch_alter_table('measure_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_results_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_results_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_results_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_results_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_results_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_results_verified_by_id'), ['verified_by_id'], unique=False)

    op.create_table('result_baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('electricity', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('natural_gas', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('diesel', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('lpg', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('other_fuel', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('process', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('upops', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_result_baselines_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_result_baselines_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_baselines')),
    sa.UniqueConstraint('organisation_id', 'programme_id', name='uq_result_baselines_org_programme')
    )
    with op.batch_alter_table('result_baselines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_baselines_programme_id'), ['programme_id'], unique=False)

    op.create_table('result_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=True),
    sa.Column('tco2e', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['factor_id'], ['emission_factors.id'], name=op.f('fk_result_lines_factor_id_emission_factors')),
    sa.ForeignKeyConstraint(['result_id'], ['measure_results.id'], name=op.f('fk_result_lines_result_id_measure_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_lines')),
    sa.UniqueConstraint('result_id', 'basis', 'carrier', name='uq_result_lines_basis_carrier')
    )
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_lines_factor_id'), ['factor_id'], unique=False)


def load_reference_data():
    now = datetime.now(UTC)
    op.bulk_insert(factors, [
        {"carrier": c, "version": 1, "value": v, "unit": u, "source": s, "year": y, "created_at": now}
        for c, v, u, s, y in FACTORS
    ])
    op.bulk_insert(measures, [
        {"code": c, "name_es": es, "name_en": en, "active": True, "created_at": now, "updated_at": now}
        for c, es, en in MEASURES
    ])
    op.bulk_insert(indicators, [
        {"code": c, "name_en": en, "name_es": es, "unit": u, "target": t, "computed_from": rule,
         "position": p, "created_at": now, "updated_at": now}
        for c, en, es, u, t, rule, p in GEF_INDICATORS
    ])


def upgrade():
    create_tables()
    load_reference_data()


def downgrade():
    op.execute(indicators.delete().where(indicators.c.code.in_([row[0] for row in GEF_INDICATORS])))
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_lines_factor_id'))
    op.drop_table('result_lines')
    with op.batch_alter_table('result_baselines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_baselines_programme_id'))
    op.drop_table('result_baselines')
    with op.batch_alter_table('measure_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_results_verified_by_id'))
        batch_op.drop_index(batch_op.f('ix_measure_results_status'))
        batch_op.drop_index(batch_op.f('ix_measure_results_programme_id'))
        batch_op.drop_index(batch_op.f('ix_measure_results_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_measure_results_measure_id'))
        batch_op.drop_index(batch_op.f('ix_measure_results_evidence_id'))
    op.drop_table('measure_results')
    with op.batch_alter_table('emission_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emission_factors_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_emission_factors_carrier'))
    op.drop_table('emission_factors')
    op.drop_table('measures')
