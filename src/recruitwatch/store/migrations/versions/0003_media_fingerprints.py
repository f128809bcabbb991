"""media fingerprints per media item; imported hash-list entries

Revision ID: 0003_media_fingerprints
Revises: 0002_enrichments
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_media_fingerprints"
down_revision = "0002_enrichments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_fingerprints",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String, nullable=False),
        sa.Column("version", sa.String, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("sha256", "algorithm", name="pk_media_fingerprints"),
        sa.ForeignKeyConstraint(
            ["sha256"], ["media_items.sha256"], name="fk_media_fingerprints_sha256_media_items"
        ),
    )
    op.create_index("ix_media_fingerprints_algorithm", "media_fingerprints", ["algorithm"])
    op.create_table(
        "hash_list_entries",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("list_name", sa.String, nullable=False),
        sa.Column("algorithm", sa.String, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("ideology", sa.String),
        sa.Column("file_type", sa.String),
        sa.Column("note", sa.Text),
        sa.Column("added", sa.String),
        sa.PrimaryKeyConstraint("id", name="pk_hash_list_entries"),
    )
    op.create_index("ix_hash_list_entries_algorithm", "hash_list_entries", ["algorithm"])
    op.create_index("ix_hash_list_entries_list_name", "hash_list_entries", ["list_name"])


def downgrade() -> None:
    op.drop_index("ix_hash_list_entries_list_name", "hash_list_entries")
    op.drop_index("ix_hash_list_entries_algorithm", "hash_list_entries")
    op.drop_table("hash_list_entries")
    op.drop_index("ix_media_fingerprints_algorithm", "media_fingerprints")
    op.drop_table("media_fingerprints")
