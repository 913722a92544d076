#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Commands (imports, index builds, migrations) may run long statements; the web's
    # limit (WENCUI_STATEMENT_TIMEOUT_MS) is for requests.
    os.environ.setdefault("WENCUI_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
