"""The database schema (SQLAlchemy Core). Alembic migrations must match it (tested)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = sa.DateTime(timezone=True)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("platform", sa.String, nullable=False),
    sa.Column("handle", sa.String, nullable=False),
    sa.Column("title", sa.String),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("external_id", sa.String),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("source_id", sa.String, sa.ForeignKey("sources.id"), nullable=False),
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
    sa.Index("ix_posts_source_id_date", "source_id", "date"),
    sa.Index("ix_posts_date", "date"),
)

post_revisions = sa.Table(
    "post_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_id", sa.String, sa.ForeignKey("posts.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("edited", TS),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.UniqueConstraint("post_id", "text_sha256", name="uq_post_revisions_post_id_text_sha256"),
)

media_items = sa.Table(
    "media_items",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("mime_type", sa.String),
    sa.Column("size", sa.BigInteger),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("path", sa.String),
)

post_media = sa.Table(
    "post_media",
    metadata,
    sa.Column("post_id", sa.String, sa.ForeignKey("posts.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("media_items.sha256")),
    sa.Column("path", sa.String),
    sa.Column("present", sa.Boolean, nullable=False),
    sa.Column("absent_reason", sa.String),
    sa.Column("mime_type", sa.String),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("file_name", sa.String),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Index("ix_post_media_sha256", "sha256"),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("location", sa.String, nullable=False),
    sa.Column("locator", sa.String, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("error", sa.String, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
)

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("stream", sa.String, primary_key=True),
    sa.Column("fingerprint", sa.String, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

enrichments = sa.Table(
    "enrichments",
    metadata,
    sa.Column("post_id", sa.String, sa.ForeignKey("posts.id"), primary_key=True),
    sa.Column("enricher", sa.String, primary_key=True),
    sa.Column("version", sa.String, nullable=False),
    sa.Column("result", sa.JSON),
    sa.Index("ix_enrichments_enricher_version", "enricher", "version"),
)

text_lsh = sa.Table(
    "text_lsh",
    metadata,
    sa.Column("bucket", sa.BigInteger, primary_key=True),
    sa.Column("post_id", sa.String, sa.ForeignKey("posts.id"), primary_key=True),
    sa.Index("ix_text_lsh_post_id", "post_id"),
    sqlite_with_rowid=False,
)

media_fingerprints = sa.Table(
    "media_fingerprints",
    metadata,
    sa.Column("sha256", sa.String(64), sa.ForeignKey("media_items.sha256"), primary_key=True),
    sa.Column("algorithm", sa.String, primary_key=True),
    sa.Column("version", sa.String, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Index("ix_media_fingerprints_algorithm", "algorithm"),
)

hash_list_entries = sa.Table(
    "hash_list_entries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of list, algorithm, digest
    sa.Column("list_name", sa.String, nullable=False),
    sa.Column("algorithm", sa.String, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("ideology", sa.String),
    sa.Column("file_type", sa.String),
    sa.Column("note", sa.Text),
    sa.Column("added", sa.String),
    sa.Index("ix_hash_list_entries_algorithm", "algorithm"),
    sa.Index("ix_hash_list_entries_list_name", "list_name"),
)

labels = sa.Table(
    "labels",
    metadata,
    sa.Column("post_id", sa.String, sa.ForeignKey("posts.id"), primary_key=True),
    sa.Column("label", sa.String, primary_key=True),
    sa.Column("value", sa.String, primary_key=True),
    sa.Column("analyst", sa.String, primary_key=True),
    sa.Column("note", sa.Text),
    sa.Column("created", sa.String, nullable=False),
    sa.Index("ix_labels_analyst", "analyst"),
)
