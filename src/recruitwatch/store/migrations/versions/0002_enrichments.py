"""enrichments: per-post enricher results with versions; text LSH buckets

Revision ID: 0002_enrichments
Revises: 0001_initial
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_enrichments"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrichments",
        sa.Column("post_id", sa.String, nullable=False),
        sa.Column("enricher", sa.String, nullable=False),
        sa.Column("version", sa.String, nullable=False),
        sa.Column("result", sa.JSON),
        sa.PrimaryKeyConstraint("post_id", "enricher", name="pk_enrichments"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_enrichments_post_id_posts"),
    )
    op.create_index("ix_enrichments_enricher_version", "enrichments", ["enricher", "version"])
    op.create_table(
        "text_lsh",
        sa.Column("bucket", sa.BigInteger, nullable=False),
        sa.Column("post_id", sa.String, nullable=False),
        sa.PrimaryKeyConstraint("bucket", "post_id", name="pk_text_lsh"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_text_lsh_post_id_posts"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_text_lsh_post_id", "text_lsh", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_text_lsh_post_id", "text_lsh")
    op.drop_table("text_lsh")
    op.drop_index("ix_enrichments_enricher_version", "enrichments")
    op.drop_table("enrichments")
