"""A database error's message must not carry the values it was writing: they can be the text
of a confidential entry, and errors are logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import make_engine

SECRET = "unexplained bruising on Mrs B's arm"


def test_bound_parameters_stay_out_of_error_messages(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (body TEXT NOT NULL UNIQUE)"))
            connection.execute(text("INSERT INTO t (body) VALUES (:body)"), {"body": SECRET})
        with pytest.raises(IntegrityError) as failed, engine.begin() as connection:
            connection.execute(text("INSERT INTO t (body) VALUES (:body)"), {"body": SECRET})
        assert "UNIQUE" in str(failed.value) and SECRET not in str(failed.value)
        assert "hidden due to hide_parameters" in str(failed.value)
    finally:
        engine.dispose()
