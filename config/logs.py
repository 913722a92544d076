"""Log records as JSON, one object per line, for the LOGGING setting."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

# json.dumps escapes control characters below U+0020, but with ensure_ascii=False (so that
# Chinese stays readable) it leaves C1 controls and U+2028/U+2029, which some tools take for
# line ends, and lone surrogates, which stderr cannot encode. Escaped the same way, they keep
# every record on one line whatever a client put in its URL.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class JsonFormatter(logging.Formatter):
    """`time`, `level`, `logger` and `message`, then the record's `fields` (a dict given as
    `extra={"fields": {...}}`), then `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _UNSAFE.sub(_escape, json.dumps(entry, ensure_ascii=False, default=str))
