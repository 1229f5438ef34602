"""The service's settings: what ``tadlog serve`` was told, passed on to each worker process."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional

MAX_BODY = 64 * 1024  # bytes; a question is at most 1000 characters, a FHIR prefetch a few kB


@dataclass(frozen=True)
class Settings:
    kb: Optional[str] = None  # knowledge-base folder (default: the bundled one)
    sources: Optional[str] = None  # seed texts, for source passages (default: $TADLOG_SOURCES)
    threads: int = 4
    time_limit: float = 10.0
    cors_origins: tuple[str, ...] = ()  # no CORS unless configured
    max_body: int = MAX_BODY

    def to_env(self) -> dict[str, str]:
        """For ``--workers N``: each worker process rebuilds the app from the environment."""
        return {"TADLOG_SERVE_SETTINGS": json.dumps(self.__dict__ | {"cors_origins": list(self.cors_origins)})}

    @classmethod
    def from_env(cls) -> "Settings":
        data = json.loads(os.environ.get("TADLOG_SERVE_SETTINGS") or "{}")
        data["cors_origins"] = tuple(data.get("cors_origins") or ())
        return cls(**data)
