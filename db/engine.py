"""The one engine factory, and schema migration on first use."""

from __future__ import annotations

import re
import threading
import time
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from config.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """A warehouse problem a user can act on; its message is one line, without passwords."""


# SQLSTATE classes that describe the database or its connection, not the row being written:
# 08 connection, 25 invalid transaction state (a read-only transaction), 40 transaction
# rollback (deadlock, serialization), 53 insufficient resources (disk full, out of memory),
# 55 object not in prerequisite state (a lock not available), 57 operator intervention
# (shutdown, statement timeout), 58 system error (I/O), XX internal error.
_ENVIRONMENT_SQLSTATE_CLASSES = frozenset({"08", "25", "40", "53", "55", "57", "58", "XX"})


def is_environment_error(exc: BaseException) -> bool:
    """Whether ``exc`` says something about the warehouse (read-only, locked, full, gone)
    rather than about the values being written. Writing the same rows again, or one page
    at a time, cannot help with these; they end the command with one line (app/cli.py)."""
    if isinstance(exc, DatabaseError | DisconnectionError | PoolTimeoutError | MemoryError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)  # psycopg; sqlite3 has none
    if isinstance(state, str) and len(state) == 5:
        return state[:2] in _ENVIRONMENT_SQLSTATE_CLASSES
    # SQLite: locked, busy, read-only, disk full, I/O error, cannot open are all
    # OperationalError; a constraint or a value is IntegrityError or DataError.
    return isinstance(exc, OperationalError | InterfaceError)


def first_line(exc: BaseException) -> str:
    """The driver's own one-line reason for ``exc`` (never the SQL or its parameters,
    which SQLAlchemy appends to the message on the lines after)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return lines[0].strip() if lines else type(inner).__name__


def environment_error(exc: BaseException, url: str | URL) -> DatabaseError:
    """A one-line DatabaseError for an environment error (see is_environment_error)."""
    if isinstance(exc, DatabaseError):
        return exc
    text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    return DatabaseError(scrub(f"database {redact(text)}: {first_line(exc)}", text))


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


# How long a SQLite connection waits for another one's lock before "database is locked".
# A URL may set its own, in seconds, with pysqlite's ``timeout`` parameter:
# sqlite:///data/optally.db?timeout=5
SQLITE_BUSY_TIMEOUT_S = 30.0


def _sqlite_pragmas(busy_timeout: float, dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # The busy timeout (sqlite3.connect's ``timeout``, see _create) turns a second writer's
    # "database is locked" into a wait, but not always when switching to WAL: SQLite answers
    # "locked" at once, without its busy handler, where waiting could deadlock (this
    # connection's read lock against another's write lock, as when two runs open one fresh
    # file and one migrates it: tests/test_hostile_data.py, two runs on a fresh file). So
    # that switch is tried again until the busy timeout has passed.
    cur = dbapi_conn.cursor()
    # WAL lets the report and ad-hoc queries read while a run writes. A read-only database
    # keeps the journal it has (changing it would be a write).
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except Exception as exc:
            message = str(exc)
            if "readonly" in message.replace("-", "").replace(" ", ""):
                break
            if "locked" not in message or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_file(parsed: URL) -> Path | None:
    """The database file of a SQLite URL, also when it is a ``file:`` URI (``uri=true``)."""
    db = parsed.database
    if not db or db == ":memory:":
        return None
    if parsed.query.get("uri") == "true" and db.startswith("file:"):
        db = db.removeprefix("file:").split("?", 1)[0]
        if not db or db == ":memory:" or db.startswith(":memory:"):
            return None
    return Path(db).expanduser()


def _busy_timeout(parsed: URL) -> float:
    value = parsed.query.get("timeout")
    if value is None:
        return SQLITE_BUSY_TIMEOUT_S
    try:
        seconds = float(value if isinstance(value, str) else value[0])
    except ValueError:
        raise DatabaseError(f"invalid timeout {value!r} in {redact(str(parsed))}") from None
    if not seconds >= 0:
        raise DatabaseError(f"invalid timeout {value!r} in {redact(str(parsed))}")
    return seconds


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


# The default warehouse. Its directory, data/ under the working directory, is the one
# directory a database path may create: `make demo` on a fresh clone.
DEFAULT_URL: str = Settings.model_fields["database_url"].default


def _sqlite_directory(path: Path, url: str) -> None:
    """A SQLite file's directory must exist: a mistyped --db must not leave a tree of
    directories behind. Only the default's own data/ is created, in the working directory."""
    if path.parent.is_dir():
        return
    if url != DEFAULT_URL:
        reason = "is not a directory" if path.parent.exists() else "does not exist"
        raise DatabaseError(f"cannot create database {redact(url)}: {path.parent} {reason}")
    try:
        path.parent.mkdir(exist_ok=True)
    except OSError as exc:  # a file named data, no permission
        raise DatabaseError(
            f"cannot create the directory for {redact(url)}: {exc.strerror or exc}"
        ) from exc


def require_existing(url: str | None) -> None:
    """Fail with one line when ``url`` names a SQLite file that does not exist. A command
    that only reads (metrics, report, export, operations) must not leave an empty
    warehouse, nor its directory, behind a mistyped path."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError):
        return  # get_engine says what is wrong with it
    path = _sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None and not path.exists():
        raise DatabaseError(f"no database at {path} (`optally run` or `optally demo` creates one)")


def _create(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        looks_like_a_path = "://" not in url and not any(c.isspace() for c in url)
        hint = f" (a SQLite file is sqlite:///{url})" if looks_like_a_path else ""
        raise DatabaseError(f"invalid database URL {redact(url)!r}{hint}") from exc
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            _sqlite_directory(path, url)
        # sqlite3's timeout is SQLite's busy timeout (sqlite3_busy_timeout).
        kwargs["connect_args"] = {"timeout": _busy_timeout(parsed), "check_same_thread": False}
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
        event.listen(engine, "connect", partial(_sqlite_pragmas, _busy_timeout(parsed)))
    return engine


def upgrade(engine: Engine) -> None:
    """Apply Alembic migrations up to head (idempotent; safe when two runs start together).

    Two runs migrating one fresh database at once would race on CREATE TABLE ("table
    operations already exists"), so the migration holds a lock: an advisory lock on
    PostgreSQL, the database's write lock (BEGIN EXCLUSIVE, waiting up to the busy timeout)
    on SQLite. On SQLite a database already at head is not locked at all, so a read-only
    warehouse can still be read.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as conn:
            pass  # connecting is its own step: failing here means the database is unreachable
    except DBAPIError as exc:
        # A SQLite file is opened, not reached: "file is not a database" is about the file.
        verb = "open" if engine.dialect.name == "sqlite" else "reach"
        raise DatabaseError(
            scrub(f"cannot {verb} database {redact(url)}: {first_line(exc)}", url)
        ) from exc
    try:
        if engine.dialect.name == "sqlite":
            head = ScriptDirectory.from_config(cfg).get_current_head()
            revision = current_revision(engine)
            if revision == head:
                return
            if revision is None:
                _refuse_foreign_sqlite(engine, url)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74657201)")
            elif engine.dialect.name == "sqlite":
                # The migration's reads and writes in one transaction that holds the write
                # lock: the second run waits here, then finds the schema at head.
                conn.exec_driver_sql("BEGIN EXCLUSIVE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DBAPIError as exc:
        raise DatabaseError(
            scrub(f"cannot use database {redact(url)}: {first_line(exc)}", url)
        ) from exc


def _refuse_foreign_sqlite(engine: Engine, url: str) -> None:
    """A SQLite file with tables but no schema version belongs to another program (a
    Prefect database, a spreadsheet export): migrating would write the warehouse into it."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
    if tables:
        shown = ", ".join(tables[:FOREIGN_TABLES_SHOWN])
        more = ", ..." if len(tables) > FOREIGN_TABLES_SHOWN else ""
        raise DatabaseError(
            f"{redact(url)} is not an optally warehouse: it holds other tables ({shown}{more})"
        )


FOREIGN_TABLES_SHOWN = 3


def require_writable(engine: Engine) -> None:
    """Fail now, with one line, when the warehouse cannot be written: a read-only file or
    database, or a lock another process holds past the busy timeout. A run finds out
    before it starts rather than at its first batch, with nothing half done."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                # The write lock, and a write that is rolled back: BEGIN IMMEDIATE alone
                # succeeds on a read-only file.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
                conn.exec_driver_sql("ROLLBACK")
            elif conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                raise DatabaseError(f"database {redact(url)} is read-only")
    except DBAPIError as exc:
        raise DatabaseError(
            scrub(f"cannot write to database {redact(url)}: {first_line(exc)}", url)
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
