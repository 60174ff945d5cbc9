"""mailboxes and captured e-mail (issue 14)

Mailboxes read over IMAP (password encrypted), the e-mails captured from them (one row per Message-ID,
linked to at most one interaction), which mailbox saw which message at which UID, the users' secret
dropbox and calendar tokens, and the organisations' e-mail domains.

Revision ID: 0016_mail_capture
Revises: 0015_privacy
Create Date: 2026-12-06 05:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_mail_capture'
down_revision = '0015_privacy'
branch_labels = None
depends_on = None


def stamps():
    """Return the created/updated columns of a Timestamped table."""
    return [
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ]


def create_mailboxes():
    """Create the mailboxes table."""
    op.create_table(
        'mailboxes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=200), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('use_tls', sa.Boolean(), nullable=False),
        sa.Column('folder', sa.String(length=200), nullable=False),
        sa.Column('username', sa.String(length=254), nullable=False),
        sa.Column('password_encrypted', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
        sa.Column('last_uid', sa.BigInteger(), nullable=False),
        sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        *stamps(),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_mailboxes_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailboxes')),
    )
    op.create_index(op.f('ix_mailboxes_owner_id'), 'mailboxes', ['owner_id'], unique=False)


def create_email_messages():
    """Create the email_messages table."""
    op.create_table(
        'email_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=250), nullable=False),
        sa.Column('thread_id', sa.String(length=250), nullable=False),
        sa.Column('in_reply_to', sa.String(length=250), nullable=True),
        sa.Column('references', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('category', sa.String(length=15), nullable=False),
        sa.Column('direction', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('from_address', sa.String(length=254), nullable=False),
        sa.Column('from_name', sa.String(length=200), nullable=False),
        sa.Column('participants', sa.JSON(), nullable=False),
        sa.Column('excerpt', sa.Text(), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('attachments', sa.JSON(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('interaction_id', sa.Integer(), nullable=True),
        sa.Column('logged_by_id', sa.Integer(), nullable=True),
        *stamps(),
        sa.ForeignKeyConstraint(
            ['interaction_id'], ['interactions.id'],
            name=op.f('fk_email_messages_interaction_id_interactions'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['logged_by_id'], ['users.id'], name=op.f('fk_email_messages_logged_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_email_messages_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages')),
        sa.UniqueConstraint('message_id', name=op.f('uq_email_messages_message_id')),
    )
    for column in ('interaction_id', 'logged_by_id', 'organisation_id', 'status', 'thread_id'):
        op.create_index(op.f(f'ix_email_messages_{column}'), 'email_messages', [column], unique=False)
    op.create_index('ix_email_messages_status_sent_at', 'email_messages', ['status', 'sent_at'], unique=False)


def create_mailbox_messages():
    """Create the mailbox_messages table."""
    op.create_table(
        'mailbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=250), nullable=False),
        sa.Column('uid', sa.BigInteger(), nullable=False),
        sa.Column('email_id', sa.Integer(), nullable=True),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['email_id'], ['email_messages.id'],
            name=op.f('fk_mailbox_messages_email_id_email_messages'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['mailbox_id'], ['mailboxes.id'],
            name=op.f('fk_mailbox_messages_mailbox_id_mailboxes'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_messages')),
        sa.UniqueConstraint('mailbox_id', 'message_id', name=op.f('uq_mailbox_messages_mailbox_id')),
    )
    op.create_index(op.f('ix_mailbox_messages_email_id'), 'mailbox_messages', ['email_id'], unique=False)


def create_personal_tokens():
    """Create the personal_tokens table."""
    op.create_table(
        'personal_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('token_encrypted', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_personal_tokens_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_personal_tokens_token_hash')),
        sa.UniqueConstraint('user_id', 'purpose', name=op.f('uq_personal_tokens_user_id')),
    )


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_domains', sa.String(length=500), nullable=True))
    create_mailboxes()
    create_email_messages()
    create_mailbox_messages()
    create_personal_tokens()


def downgrade():
    op.drop_table('personal_tokens')
    op.drop_index(op.f('ix_mailbox_messages_email_id'), table_name='mailbox_messages')
    op.drop_table('mailbox_messages')
    op.drop_index('ix_email_messages_status_sent_at', table_name='email_messages')
    for column in ('interaction_id', 'logged_by_id', 'organisation_id', 'status', 'thread_id'):
        op.drop_index(op.f(f'ix_email_messages_{column}'), table_name='email_messages')
    op.drop_table('email_messages')
    op.drop_index(op.f('ix_mailboxes_owner_id'), table_name='mailboxes')
    op.drop_table('mailboxes')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('email_domains')
