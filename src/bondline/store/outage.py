"""Database outages in the log: one line when one starts, a summary now and then while it lasts, one
line when it ends — never a traceback per request.

During an outage every request that needs the database gets 503 (`store.base.Unavailable`); a
hundred requests a second would otherwise write a hundred tracebacks a second. A worker keeps its
own record (each process logs its own outage, which is what an operator reading one worker's log
needs).
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("bondline.store")

SUMMARY_SECONDS = 30.0  # how often a lasting outage is summed up


class Outage:
    __slots__ = ("since", "refused", "cause", "_summarised", "_refused_at_summary")

    def __init__(self) -> None:
        self.since: float | None = None  # monotonic time the outage began; None: no outage
        self.refused = 0
        self.cause = ""
        self._summarised = 0.0
        self._refused_at_summary = 0

    def failed(self, cause: str) -> None:
        """A unit of work could not reach the database because of `cause`."""
        now = time.monotonic()
        self.cause = cause
        if self.since is None:
            self.since = self._summarised = now
            self.refused, self._refused_at_summary = 1, 0
            log.error("database unavailable: %s; requests that need it get 503 with Retry-After until it "
                      "answers again", cause)
            return
        self.refused += 1
        if now - self._summarised >= SUMMARY_SECONDS:
            log.error("database still unavailable after %.0f s: %d requests refused in the last %.0f s "
                      "(last error: %s)", now - self.since, self.refused - self._refused_at_summary,
                      now - self._summarised, cause)
            self._summarised, self._refused_at_summary = now, self.refused

    def recovered(self) -> None:
        """The database answered again."""
        if self.since is not None:
            log.warning("database available again after %.1f s; %d requests were refused meanwhile",
                        time.monotonic() - self.since, self.refused)
            self.since = None
