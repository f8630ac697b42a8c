"""The fleet history: runs, sellers, scans, verdicts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fleet_key", sa.String(64), nullable=False, index=True),
        sa.Column("sellers_file", sa.Text, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("obey_robots", sa.Boolean, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
    )
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column(
            "seller_id", sa.String(64), sa.ForeignKey("sellers.id"), nullable=False, index=True
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=False),
        sa.Column("out_dir", sa.Text, nullable=False),
        sa.Column("bundle_path", sa.Text),
        sa.Column("bundle_sha256", sa.String(64)),
        sa.Column("score", sa.Float),
        sa.Column("final_score", sa.Float),
        sa.Column("n_pass", sa.Integer, nullable=False),
        sa.Column("n_fail", sa.Integer, nullable=False),
        sa.Column("n_needs_review", sa.Integer, nullable=False),
        sa.Column("n_not_applicable", sa.Integer, nullable=False),
        sa.Column("n_error", sa.Integer, nullable=False),
        sa.Column("objective_failures", sa.JSON, nullable=False),
        sa.Column("obey_robots", sa.Boolean, nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.UniqueConstraint("run_id", "seller_id", name="uq_scans_run_seller"),
    )
    op.create_table(
        "verdicts",
        sa.Column(
            "scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("clause_id", sa.String(16), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("verdicts")
    op.drop_table("scans")
    op.drop_table("sellers")
    op.drop_table("runs")
