"""keep each organisation's signed co-finance per co-financier and type, so the co-finance report sums a few rows

Issue 17: the co-finance report joined every signed co-finance letter to its materialisations three times
per request (the type sums, the annex page and its count): 70-170 ms at 100,000 companies with one
filter. cofinance_lines holds, per organisation, programme key (0 for every programme together),
co-financier type and co-finance type, the committed and materialised USD and the first letter's id,
beside the organisation's report filters; crm.pipeline.company_reach keeps it in the flush of every
change. Filled here from letters, materialisations and organisations. company_links gets an index by
association, so that the reports' association filter reads the companies it keeps (one index range)
instead of joining memberships and engagements on every request.

Revision ID: 0036_cofinance_lines
Revises: 0035_stay_tallies
Create Date: 2026-12-07 15:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0036_cofinance_lines'
down_revision = '0035_stay_tallies'
branch_labels = None
depends_on = None

COLUMNS = ('organisation_id, programme_key, cofinancier_type, cofinance_type, committed, materialised, '
           'first_letter_id, kind, sector_id, district_id, owner_id')
SIGNED = """SELECT l.id AS id, l.organisation_id AS organisation_id, l.programme_id AS programme_id,
    l.cofinancier_type AS cofinancier_type, l.cofinance_type AS cofinance_type,
    COALESCE(l.amount_usd, 0) AS committed,
    COALESCE((SELECT SUM(m.amount_usd) FROM materialisations m WHERE m.letter_id = l.id), 0) AS materialised
  FROM letters l WHERE l.kind = 'cofinance' AND l.status = 'signed'"""
FILL = f"""INSERT INTO cofinance_lines ({COLUMNS})
SELECT k.organisation_id, k.programme_key, k.cofinancier_type, k.cofinance_type, SUM(k.committed),
  SUM(k.materialised), MIN(k.id), o.kind, o.sector_id, o.district_id, o.owner_id
FROM (
  SELECT s.id, s.organisation_id, s.programme_id AS programme_key, s.cofinancier_type, s.cofinance_type,
    s.committed, s.materialised FROM ({SIGNED}) s WHERE s.programme_id IS NOT NULL
  UNION ALL
  SELECT s.id, s.organisation_id, 0, s.cofinancier_type, s.cofinance_type, s.committed, s.materialised
  FROM ({SIGNED}) s
) k JOIN organisations o ON o.id = k.organisation_id
GROUP BY k.organisation_id, k.programme_key, k.cofinancier_type, k.cofinance_type, o.kind, o.sector_id,
  o.district_id, o.owner_id"""  # noqa: S608 - every piece is a constant of this file


def upgrade():
    op.create_table(
        'cofinance_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_key', sa.Integer(), nullable=False),
        sa.Column('cofinancier_type', sa.String(length=30), nullable=True),
        sa.Column('cofinance_type', sa.String(length=20), nullable=True),
        sa.Column('committed', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('materialised', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('first_letter_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_cofinance_lines_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cofinance_lines')),
    )
    op.execute(FILL)
    op.create_index('ix_cofinance_lines_organisation_id', 'cofinance_lines', ['organisation_id'], unique=False)
    op.create_index('ix_cofinance_lines_report', 'cofinance_lines', ['programme_key', 'first_letter_id'],
                    unique=False)
    op.create_index('ix_company_links_association', 'company_links', ['association_id', 'organisation_id'],
                    unique=False)
    op.execute('ANALYZE cofinance_lines')


def downgrade():
    op.drop_index('ix_company_links_association', table_name='company_links')
    op.drop_index('ix_cofinance_lines_report', table_name='cofinance_lines')
    op.drop_index('ix_cofinance_lines_organisation_id', table_name='cofinance_lines')
    op.drop_table('cofinance_lines')
