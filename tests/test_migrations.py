"""The migrations build the schema the models describe: no model change without a migration."""
from flask_migrate import check


def test_models_and_migrations_agree(ctx):
    check()  # raises (exits non-zero) when autogenerate would produce a new migration
