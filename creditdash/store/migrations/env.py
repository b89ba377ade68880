"""Alembic environment: the engine comes from creditdash.store.engine.migrate.

The target metadata holds every table: each `*_models` module of the store is
imported here (tests/store/test_migrations.py checks that none is missing and
that the migrations build exactly these tables).
"""

from alembic import context

from creditdash.store import (  # noqa: F401  (imported for their tables)
    admin_models,
    collections_models,
    forecast_models,
    profile_models,
    review_models,
    risk_models,
    terms_models,
)
from creditdash.store.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
