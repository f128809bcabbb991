"""initial: sources, posts, revisions, media, quarantine, checkpoints

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("platform", sa.String, nullable=False),
        sa.Column("handle", sa.String, nullable=False),
        sa.Column("title", sa.String),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("external_id", sa.String),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.String, nullable=False),
        sa.Column("source_id", sa.String, nullable=False),
        sa.Column("platform", sa.String, nullable=False),
        sa.Column("message_id", sa.String, nullable=False),
        sa.Column("date", TS, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("entities", sa.JSON, nullable=False),
        sa.Column("author", sa.String),
        sa.Column("sender", sa.String),
        sa.Column("sender_id", sa.String),
        sa.Column("forwarded_from", sa.String),
        sa.Column("forwarded_from_id", sa.String),
        sa.Column("saved_from", sa.String),
        sa.Column("reply_to", sa.String),
        sa.Column("reply_to_peer", sa.String),
        sa.Column("via_bot", sa.String),
        sa.Column("edited", TS),
        sa.Column("action", sa.JSON),
        sa.Column("reactions", sa.JSON, nullable=False),
        sa.Column("url", sa.String),
        sa.Column("title", sa.String),
        sa.Column("lang_hint", sa.String),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_posts_source_id_sources"),
    )
    op.create_index("ix_posts_source_id_date", "posts", ["source_id", "date"])
    op.create_index("ix_posts_date", "posts", ["date"])
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("post_id", sa.String, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("edited", TS),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_revisions"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_post_revisions_post_id_posts"),
        sa.UniqueConstraint("post_id", "text_sha256", name="uq_post_revisions_post_id_text_sha256"),
    )
    op.create_table(
        "media_items",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("mime_type", sa.String),
        sa.Column("size", sa.BigInteger),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("path", sa.String),
        sa.PrimaryKeyConstraint("sha256", name="pk_media_items"),
    )
    op.create_table(
        "post_media",
        sa.Column("post_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("path", sa.String),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("absent_reason", sa.String),
        sa.Column("mime_type", sa.String),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("file_name", sa.String),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("post_id", "position", name="pk_post_media"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_post_media_post_id_posts"),
        sa.ForeignKeyConstraint(
            ["sha256"], ["media_items.sha256"], name="fk_post_media_sha256_media_items"
        ),
    )
    op.create_index("ix_post_media_sha256", "post_media", ["sha256"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("location", sa.String, nullable=False),
        sa.Column("locator", sa.String, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("error", sa.String, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("stream", sa.String, nullable=False),
        sa.Column("fingerprint", sa.String, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("stream", name="pk_checkpoints"),
    )


def downgrade() -> None:
    for table in ("checkpoints", "quarantine", "post_media", "media_items", "post_revisions"):
        op.drop_table(table)
    op.drop_index("ix_posts_date", "posts")
    op.drop_index("ix_posts_source_id_date", "posts")
    op.drop_table("posts")
    op.drop_table("sources")
