"""The shape of the code, checked rather than hoped for: where HTTP may live, who reads the app's state,
no listener on SQLAlchemy's global Session class, and the private SQLAlchemy attributes fastsql reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlmodel
from sqlalchemy import Integer, bindparam, column, text
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.events import SessionEvents

import web.app  # noqa: F401 - imports every module, so every listener that exists is registered

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = ("centrale", "alerts", "integrations")
COMPOSITION_ROOT = {"web/app.py", "web/container.py"}


def _modules(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), filename=str(path))


def _imports_http(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in ("fastapi", "starlette")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("fastapi", "starlette"):
            found.append(node.module)
        elif isinstance(node, ast.Name) and node.id == "HTTPException":
            found.append("HTTPException")
    return found


def test_no_domain_module_speaks_http() -> None:
    """HTTP lives in web/ (routers, pages, dependencies); the domain raises domain errors."""
    offenders = {path: names for path, tree in _modules(*DOMAIN_PACKAGES) if (names := _imports_http(tree))}
    assert offenders == {}


def test_the_http_check_would_see_an_offender() -> None:
    tree = ast.parse("from fastapi import HTTPException\nraise HTTPException(status_code=404)\n")
    assert _imports_http(tree) == ["fastapi", "HTTPException"]


def _reads_app_state(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "app"
        for node in ast.walk(tree)
    )


def test_app_state_is_read_only_by_the_composition_root() -> None:
    readers = [path for path, tree in _modules(*DOMAIN_PACKAGES, "web") if _reads_app_state(tree)]
    assert sorted(readers) == sorted(p for p in COMPOSITION_ROOT if p in readers)
    assert not _reads_app_state(ast.parse("x = 1")) and _reads_app_state(ast.parse("request.app.state.db"))


def _class_listeners(cls: type) -> dict[str, int]:
    names = [n for n in dir(SessionEvents) if not n.startswith("_") and n != "dispatch"]
    found = {}
    for name in names:
        dispatch = getattr(cls.dispatch, name, None)  # type: ignore[attr-defined]
        registered = getattr(dispatch, "_clslevel", {}).get(cls, ())
        if registered:
            found[name] = len(registered)
    return found


def test_no_listener_acts_on_every_session_in_the_process() -> None:
    """Events are written by the unit of work's commit, not by hooks on SQLAlchemy's global classes."""
    assert _class_listeners(Session) == {}
    assert _class_listeners(sqlmodel.Session) == {}


def test_the_listener_check_would_see_one() -> None:
    def _hook(_session: Session) -> None:
        return None

    sa_event.listen(Session, "before_commit", _hook)
    try:
        assert _class_listeners(Session) == {"before_commit": 1}
    finally:
        sa_event.remove(Session, "before_commit", _hook)


@pytest.mark.parametrize("dialect_name", ["postgresql", "sqlite"])
def test_fastsql_finds_the_private_attributes_it_reads(dialect_name: str) -> None:
    """centrale/fastsql.py reads SQLAlchemy internals; pyproject bounds the version and this test names them."""
    dialect = postgresql.asyncpg.dialect() if dialect_name == "postgresql" else sqlite.aiosqlite.dialect()  # type: ignore[attr-defined]
    statement = text("SELECT :a AS a").bindparams(bindparam("a", type_=Integer())).columns(column("a", Integer()))
    compiled = statement.compile(dialect=dialect)
    assert hasattr(compiled, "_bind_processors")
    assert hasattr(compiled, "_result_columns")
    assert all(hasattr(entry.type, "_cached_result_processor") for entry in compiled._result_columns)  # type: ignore[attr-defined]
    if dialect_name == "postgresql":
        assert hasattr(AsyncAdapt_asyncpg_connection, "_handle_exception")
