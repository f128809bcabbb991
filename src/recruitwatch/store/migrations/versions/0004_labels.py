"""analyst labels (genre, theme, tier) per post

Revision ID: 0004_labels
Revises: 0003_media_fingerprints
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_labels"
down_revision = "0003_media_fingerprints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("post_id", sa.String, nullable=False),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("value", sa.String, nullable=False),
        sa.Column("analyst", sa.String, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created", sa.String, nullable=False),
        sa.PrimaryKeyConstraint("post_id", "label", "value", "analyst", name="pk_labels"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_labels_post_id_posts"),
    )
    op.create_index("ix_labels_analyst", "labels", ["analyst"])


def downgrade() -> None:
    op.drop_index("ix_labels_analyst", "labels")
    op.drop_table("labels")
