"""The one engine factory, and schema migration on first use."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from config.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """A warehouse problem a user can act on; its message is one line, without passwords."""


# user:password@ up to the LAST "@" (a password may hold an unencoded "@"), and a
# password=... query parameter (libpq and psycopg accept one).
_USERINFO_RE = re.compile(r"^(?P<scheme>[\w.+-]+://)(?P<user>[^:/@]*):.*@(?P<rest>[^@]*)$", re.S)
_QUERY_PASSWORD_RE = re.compile(r"(?i)([?&]password=)[^&#]*")


def redact(url: str) -> str:
    """The URL with any password replaced, safe for logs and error messages, whether or
    not SQLAlchemy can parse it."""
    masked = _USERINFO_RE.sub(r"\g<scheme>\g<user>:***@\g<rest>", url)
    masked = _QUERY_PASSWORD_RE.sub(r"\1***", masked)
    try:
        return make_url(masked).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return masked


def scrub(message: str, url: str) -> str:
    """``message`` without the password of ``url``, nor the pieces of it that an unencoded
    "@" splits off into what SQLAlchemy and the driver take for the host (pieces of at
    least 3 characters: shorter ones would garble the message more than they reveal)."""
    secrets: list[str] = []
    m = _USERINFO_RE.match(url)
    if m:
        start = len(m.group("scheme")) + len(m.group("user")) + 1
        secret = url[start : url.rindex("@")]
        secrets += [secret, *secret.split("@")]
    secrets += re.findall(r"(?i)[?&]password=([^&#]*)", url)
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


SECRET_SCHEME = "prefect-secret://"
_secret_urls: dict[str, str] = {}
_secret_lock = threading.Lock()


def resolve_url(url: str | None) -> str:
    """The warehouse URL: ``url``, else $OPTALLY_DATABASE_URL, else the default.

    ``prefect-secret://NAME`` stands for the URL kept in the Prefect Secret block NAME, so
    a password lives in Prefect's block store rather than in a file, a flow parameter or
    the environment of every worker. It is read once per process.
    """
    url = url or get_settings().database_url
    if url.startswith(SECRET_SCHEME):
        return secret_url(url.removeprefix(SECRET_SCHEME))
    return url


def secret_url(name: str) -> str:
    """The database URL stored in the Prefect Secret block ``name``."""
    with _secret_lock:
        if name not in _secret_urls:
            from prefect.blocks.system import Secret

            try:
                value = Secret.load(name).get()
            except Exception as exc:  # no such block, no API: say which, never the value
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise DatabaseError(
                    f"cannot read the database URL from Prefect Secret block {name!r}: {reason}"
                ) from None
            if not isinstance(value, str) or not value.strip():
                raise DatabaseError(f"Prefect Secret block {name!r} does not hold a database URL")
            _secret_urls[name] = value.strip()
        return _secret_urls[name]


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    # WAL lets the report and ad-hoc queries read while a run writes; the busy
    # timeout turns a second writer's "database is locked" into a wait.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """Engine for ``url`` (default: settings), created once per process and migrated to head."""
    url = resolve_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        if migrate and url not in _migrated:
            try:
                upgrade(engine)
            except DatabaseError as exc:
                # The driver's reason can quote the host, and a password with an unencoded
                # "@" runs into the host; the chained driver error would log it again.
                raise DatabaseError(scrub(str(exc), url)) from None
            _migrated.add(url)
    return engine


def _create(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseError(f"invalid database URL {redact(url)!r}") from exc
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            try:
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a file where a directory should be, no permission
                raise DatabaseError(
                    f"cannot create the directory for {redact(url)}: {exc.strerror or exc}"
                ) from exc
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs["connect_args"] = {"connect_timeout": 10} if "psycopg" in parsed.drivername else {}
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:
        raise DatabaseError(scrub(f"cannot use database {redact(url)}: {exc}", url)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade(engine: Engine) -> None:
    """Apply Alembic migrations up to head (idempotent; safe when two runs start together)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # Two runs migrating one fresh database at once would race on CREATE TABLE.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74657201)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot reach database {redact(str(engine.url))}: {str(exc.orig).strip().splitlines()[0]}"
        ) from exc


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()
