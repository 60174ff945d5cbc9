"""stage stays and exits no longer cascade from their transitions; recount the stay tallies

A stage_stays or stage_exits row is kept per company by crm.pipeline.company_reach, whose refresh first
takes the company's rows out of the tallies (-1), then replaces them, then counts them again (+1). The
foreign key from these rows to stage_transitions, ON DELETE CASCADE, removed them as soon as a transition
was deleted (an import's undo deletes them in Core, the ORM deletes a removed move) and so before the
refresh could take them out: the stay tallies kept counting stays that no longer existed (on PostgreSQL,
and on SQLite now that it enforces foreign keys). The rows go with the refresh alone now; the stay tallies
are counted again from stage_stays and company_links (the exit tallies, 0038, were just counted).

Revision ID: 0039_stays_exits_unkeyed
Revises: 0038_exit_tallies
Create Date: 2026-12-07 18:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0039_stays_exits_unkeyed'
down_revision = '0038_exit_tallies'
branch_labels = None
depends_on = None

TABLES = ('stage_exits', 'stage_stays')
KEY = 'programme_key, filter_dim, filter_value, stage, days'
RECOUNT_STAYS = f"""INSERT INTO stay_tallies ({KEY}, n)
SELECT {KEY}, COUNT(*) FROM (
  SELECT CASE k.every WHEN 1 THEN 0 ELSE s.programme_id END AS programme_key, f.dim AS filter_dim,
    CASE f.dim WHEN 1 THEN s.sector_id WHEN 2 THEN s.district_id WHEN 3 THEN s.owner_id
      WHEN 5 THEN l.association_id END AS filter_value,
    s.stage AS stage, s.days AS days
  FROM stage_stays s
  CROSS JOIN (SELECT 0 AS every UNION ALL SELECT 1) k
  CROSS JOIN (SELECT 0 AS dim UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 5) f
  LEFT JOIN company_links l ON l.organisation_id = s.organisation_id AND f.dim = 5
  WHERE s.kind = 'company' AND (f.dim <> 5 OR l.association_id IS NOT NULL)
) e GROUP BY {KEY}"""  # noqa: S608 - every piece is a constant of this file


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_transition_id_stage_transitions', type_='foreignkey')
    op.execute('DELETE FROM stay_tallies')
    op.execute(RECOUNT_STAYS)
    op.execute('ANALYZE stay_tallies')


def downgrade():
    for table in TABLES:
        # Rows whose transition is gone would break the key: they are the refresh's to replace anyway.
        op.execute(f'DELETE FROM {table} WHERE transition_id NOT IN (SELECT id FROM stage_transitions)')
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f'fk_{table}_transition_id_stage_transitions', 'stage_transitions',
                                     ['transition_id'], ['id'], ondelete='CASCADE')
