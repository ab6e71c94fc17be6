#!/usr/bin/env python
"""manage.py of the small Django project that runs django-helpdesk for the peer benchmark (bench/peer.py)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_helpdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
