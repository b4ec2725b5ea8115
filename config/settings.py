"""Operational settings in one place, read from the environment (OPTALLY_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES_FILE = CONFIG_DIR / "sources.yaml"
CONTACT_URL = "https://github.com/optally/optally"
USER_AGENT = f"optally/0.1 (+{CONTACT_URL}; accountability research crawler)"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTALLY_", extra="ignore")

    database_url: str = Field(default="sqlite:///data/optally.db")
    sources_file: Path = DEFAULT_SOURCES_FILE
    user_agent: str = USER_AGENT

    # HTTP: the fetcher's retry loop is the only retry layer.
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 120.0
    default_rate_limit: float = 1.0  # requests per second per host
    max_redirects: int = 5

    # Orchestration
    batch_size: int = 50  # pages per fetch/extract task
    max_workers: int = 4  # threads across hosts
    max_pages: int = 200  # listing pages per backfill


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
