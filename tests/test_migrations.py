"""The migrations build the schema the models describe: no model change without a migration."""
from flask_migrate import check


def test_models_and_migrations_agree(ctx):
    check()  # raises (exits non-zero) when autogenerate would produce a new migration


def test_downgrade_and_upgrade_keep_every_row_of_a_workshop_record(ctx):
    """A migration that rebuilds a table (SQLite's batch mode: copy, DROP, rename) must not take
    the rows that refer to it along: with foreign keys on, dropping the invitations table once
    deleted every check-in, vote and question through ON DELETE CASCADE."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, inspect, select

    from workshop.demo.services import load_demo
    from workshop.extensions import db

    load_demo()
    tables = [table for table in db.metadata.sorted_tables
              if table.name in ("organizations", "workshops", "workshop_sessions", "invitations",
                                "checkins", "checkin_attempts", "questions", "question_votes",
                                "feedback", "outbox_messages")
              and inspect(db.engine).has_table(table.name)]

    def counts() -> dict[str, int]:
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in tables}

    before = counts()
    assert before["checkins"] > 0 and before["invitations"] > 0
    db.session.remove()
    downgrade(revision="0006_audit_log")
    upgrade()
    assert counts() == before
