"""Exports built from a selector's data, with no request and no query of their own: the compliance report
as PDF (``pdf``), the timeline as CSV (``timeline_csv``) and the deadlines as an iCalendar feed
(``ical``). The views beside them (``views/reports.py``, ``views/calendar.py``) read the data and serve
the bytes."""
