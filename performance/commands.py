"""What the benchmark commands share: progress on the terminal, the table, the JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from performance.runner import Log


def progress_log(command: BaseCommand, verbosity: int) -> Log:
    """Progress lines written as they come (a run takes minutes), unless asked for quiet."""

    def log(message: str) -> None:
        if verbosity >= 1:
            command.stdout.write(message)
            command.stdout.flush()

    return log


def write_report(
    command: BaseCommand, *, table: str, document: dict, json_path: Path | None
) -> None:
    command.stdout.write(table)
    if json_path:
        json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        command.stdout.write(f"\nJSON written to {json_path}")
