"""What the Celery worker does for the dashboard, alone: ``refresh_dashboard`` every ``--every`` seconds
(``bench/pages.py --refresher``). Beat and a worker are not started for the benchmark because beat would
also run the escalation sweep, which on the generated data (due instants around its fixed ``now``) would
escalate thousands of tasks during the measurement."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=float, default=30.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()
    from django.utils import timezone

    from directives.selectors.snapshot import refresh

    while True:
        started = time.monotonic()
        computed = refresh(now=timezone.now(), ahead=dt.timedelta(seconds=args.every))
        took = time.monotonic() - started
        print(f"refresh: computed={computed} in {took:.2f} s", file=sys.stderr, flush=True)
        time.sleep(max(0.0, args.every - took))


if __name__ == "__main__":
    main()
