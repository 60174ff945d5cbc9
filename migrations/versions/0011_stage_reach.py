"""stage reach: the maintained aggregate the pipeline reports read, and the organisation list's sort index, the last interaction date (issue 17)

One row per day on which an engagement moved forward, with the furthest forward stage it moved to that
day, its company and programme copied from the engagement, and whether it is the engagement's earliest
day at its furthest stage. Kept current by crm.pipeline.reach in the same flush as every change to the
stage history; filled here from the history that exists.

Revision ID: 0011_stage_reach
Revises: 0010_job_outbox
Create Date: 2026-12-06 05:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_stage_reach'
down_revision = '0010_job_outbox'
branch_labels = None
depends_on = None

# The forward path as it was when this migration was written (crm.models.pipeline.STAGES).
STAGES = (
    "identified", "contacted", "meeting_held", "loi_signed", "assessed", "technical_assistance",
    "feasibility_delivered", "adopting",
)
RANK = "CASE t.to_stage " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STAGES)) + " END"
# Built from the constants above only.
BACKFILL = f"""
INSERT INTO stage_reach (engagement_id, reached_on, stage_rank, organisation_id, programme_id, furthest)
SELECT d.engagement_id, d.reached_on, d.stage_rank, e.organisation_id, e.programme_id,
       CASE WHEN row_number() OVER (PARTITION BY d.engagement_id ORDER BY d.stage_rank DESC, d.reached_on) = 1
            THEN TRUE ELSE FALSE END
FROM (SELECT t.engagement_id, t.occurred_on AS reached_on, MAX({RANK}) AS stage_rank
      FROM stage_transitions t
      WHERE t.to_stage IN ({", ".join(f"'{s}'" for s in STAGES)})
      GROUP BY t.engagement_id, t.occurred_on) d
JOIN engagements e ON e.id = d.engagement_id
"""  # noqa: S608


def upgrade():
    op.create_table(
        'stage_reach',
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('reached_on', sa.Date(), nullable=False),
        sa.Column('stage_rank', sa.SmallInteger(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('furthest', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['engagement_id'], ['engagements.id'], name=op.f('fk_stage_reach_engagement_id_engagements'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_stage_reach_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['programme_id'], ['programmes.id'], name=op.f('fk_stage_reach_programme_id_programmes'),
        ),
        sa.PrimaryKeyConstraint('engagement_id', 'reached_on', name=op.f('pk_stage_reach')),
    )
    with op.batch_alter_table('stage_reach', schema=None) as batch_op:
        batch_op.create_index('ix_stage_reach_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_stage_reach_programme_id', ['programme_id'], unique=False)
        batch_op.create_index('ix_stage_reach_reached_on', ['reached_on'], unique=False)
    op.execute(BACKFILL)
    # The organisation list's default sort, so a page reads the index instead of sorting every company.
    op.create_index('ix_organisations_lower_legal_name', 'organisations', [sa.text('lower(legal_name)'), 'id'])
    # My work and the digest read the latest interaction's date from the organisation.
    op.add_column('organisations', sa.Column('last_interaction_on', sa.Date(), nullable=True))
    op.execute(  # one grouped pass (UPDATE ... FROM: PostgreSQL, SQLite 3.33+)
        "UPDATE organisations SET last_interaction_on = latest.last_on "
        "FROM (SELECT organisation_id, MAX(occurred_on) AS last_on FROM interactions GROUP BY organisation_id) latest "
        "WHERE latest.organisation_id = organisations.id"
    )


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('last_interaction_on')
    # IF EXISTS: on SQLite a later downgrade that rebuilds the organisations table drops expression indexes.
    op.execute('DROP INDEX IF EXISTS ix_organisations_lower_legal_name')
    with op.batch_alter_table('stage_reach', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_reach_reached_on')
        batch_op.drop_index('ix_stage_reach_programme_id')
        batch_op.drop_index('ix_stage_reach_organisation_id')
    op.drop_table('stage_reach')
