"""Where things live and the defaults every stage uses.

`DRAFTER_HOME` overrides the data directory (the SQLite archive, exports); the project's own
data (`corpus/`, `models/`, `templates/`) sits beside the package and can be moved with
`DRAFTER_PROJECT_DIR`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "drafter"
USER_AGENT = "drafter/0.1 (+incident archive drafting tool; contact: editors)"


def project_dir() -> Path:
    """The folder holding corpus/, models/ and templates/."""
    env = os.environ.get("DRAFTER_PROJECT_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def home_dir() -> Path:
    """The user's data folder (the archive database and exports)."""
    env = os.environ.get("DRAFTER_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def db_path() -> Path:
    return home_dir() / "drafter.sqlite3"


def corpus_dir() -> Path:
    return project_dir() / "corpus"


def models_dir() -> Path:
    env = os.environ.get("DRAFTER_MODELS_DIR")
    return Path(env) if env else project_dir() / "models"


def templates_dir() -> Path:
    return project_dir() / "templates"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits for retrieving one page."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0
    """Seconds for the whole fetch of one source, retries and redirects included."""
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 0.5
    """First retry delay in seconds; doubles each time."""
    max_retry_after: float = 10.0
    allow_private: bool = True
    """False refuses private, loopback and link-local addresses (shared-service mode)."""
