"""The compliance report of one directive as PDF, for a regulator or counsel: the directive, the
directives it is linked to (both directions, "Amends" / "Amended by"), its obligations (due and met), products, tasks, evidence with SHA-256 hashes, every timeline entry in the
authority's zone and in UTC, and the hash chain's verification.

Why fpdf2: it is pure Python (no Cairo, Pango, wkhtmltopdf or headless browser), so the PDF works on a
fresh machine with nothing but the venv, in the embedded default and in production alike, and it writes
tables with wrapped cells natively. Unicode text uses DejaVu Sans when the system has it (Debian/Ubuntu's
fonts-dejavu-core); otherwise the PDF falls back to the built-in Helvetica and replaces characters outside
Latin-1 (e.g. "→" becomes "->"), which the CSV and HTML keep exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fpdf import FPDF, XPos, YPos

from .. import instants
from ..selectors.directives import ReportData
from ..services.timeline import ChainReport

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
]
LATIN1_REPLACEMENTS = {
    "\u2192": "->",  # right arrow
    "\u2026": "...",  # ellipsis
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2713": "OK",
    "\u2717": "X",
}


class ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.report_title = title
        self.unicode = False
        regular = _find_font("DejaVuSans.ttf")
        bold = _find_font("DejaVuSans-Bold.ttf")
        if regular and bold:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
            self.family_name = "DejaVu"
            self.unicode = True
        else:
            self.family_name = "Helvetica"
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(12, 12, 12)

    def text_(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.unicode:
            return text
        for src, dst in LATIN1_REPLACEMENTS.items():
            text = text.replace(src, dst)
        return text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family_name, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(
            0, 5, self.text_(f"Compliance report · {self.report_title}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family_name, "", 8)
        self.cell(0, 5, self.text_(f"Page {self.page_no()}/{{nb}}"), align="R")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.family_name, "B", 12)
        self.cell(0, 7, self.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family_name, "", 8.5)

    def paragraph(self, text: str, size: float = 9) -> None:
        self.set_font(self.family_name, "", size)
        self.multi_cell(0, 4.5, self.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header: list[str], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
        self.set_font(self.family_name, "", 8)
        if not rows:
            self.paragraph("None.", 8.5)
            return
        with self.table(
            col_widths=widths, text_align="LEFT", line_height=4.2, first_row_as_headings=True
        ) as table:
            head = table.row()
            for h in header:
                head.cell(self.text_(h))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.text_(value))


def _find_font(name: str) -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def report_pdf(data: ReportData, *, chain: ChainReport, generated_at: dt.datetime) -> bytes:
    """The report of ``data`` (``selectors.directives.report_data``) with its chain's verification."""
    d = data.directive
    pdf = ReportPDF(f"{d.reference}: {d.title}")
    pdf.set_title(f"Compliance report {d.reference}")
    pdf.set_author("Docket")
    pdf.add_page()
    _summary(pdf, data, chain, generated_at)
    _links(pdf, data)
    _obligations(pdf, data)
    _products(pdf, data)
    _tasks(pdf, data)
    _evidence(pdf, data)
    _timeline(pdf, data)
    return bytes(pdf.output())


def _summary(pdf: ReportPDF, data: ReportData, chain: ChainReport, generated_at: dt.datetime) -> None:
    d, zone = data.directive, data.zone
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.multi_cell(0, 8, pdf.text_(f"{d.reference}: {d.title}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    verdict = (
        f"Timeline chain verified: {chain.entries} entries, head {chain.head_hash}"
        if chain.ok
        else f"TIMELINE CHAIN BROKEN: {chain.problem}"
    )
    pdf.paragraph(
        f"Authority: {d.authority.name} (zone {zone}) · Kind: {d.get_kind_display()} · "
        f"Status: {d.get_status_display()} · Posture: {d.get_posture_display()}\n"
        f"Received: {instants.iso_local(d.received_at, zone)} ({instants.iso_utc(d.received_at)}) "
        f"via {d.get_delivery_channel_display()}\n"
        f"{verdict}\nGenerated {instants.iso_utc(generated_at, seconds=True)}"
    )
    if d.summary:
        pdf.paragraph(d.summary)


def _links(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("Linked directives")
    pdf.grid(
        ["Link", "Directive", "Title", "Authority"],
        [[r.label, r.other.reference, r.other.title, str(r.other.authority)] for r in data.page.links],
        (35, 55, 130, 50),
    )


def _obligations(pdf: ReportPDF, data: ReportData) -> None:
    zone = data.zone
    pdf.heading("Obligations")
    pdf.grid(
        ["Obligation", "Rule", f"Due ({zone})", "Due (UTC)", "Status", "Met (UTC)"],
        [
            [
                r.obligation.title,
                r.obligation.due_rule_text,
                instants.iso_local(r.obligation.due_at, zone),
                instants.iso_utc(r.obligation.due_at),
                r.obligation.get_status_display(),
                instants.iso_utc(r.obligation.met_at),
            ]
            for r in data.page.obligations
        ],
        (70, 40, 50, 35, 25, 35),
    )
    for r in data.page.obligations:
        if r.obligation.due_explanation:
            pdf.paragraph(f"{r.obligation.title}, how it was counted: {r.obligation.due_explanation}")


def _products(pdf: ReportPDF, data: ReportData) -> None:
    matrix = data.page.matrix
    pdf.heading("Products and required actions")
    pdf.grid(
        ["Product", "Required action", "Access per audience"],
        [
            [
                product.name,
                required,
                ", ".join(
                    f"{a.name}: {c.get_state_display() if c else '-'}"
                    for a, c in zip(matrix.audiences, cells, strict=True)
                ),
            ]
            for product, required, cells in matrix.rows
        ],
        (40, 70, 163),
    )


def _tasks(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("Remediation tasks")
    header = ["Task", "Priority", "Assignee", "Due (UTC)", "Status"]
    pdf.grid(
        [*header, "Resolved by / at (UTC)", "Verified by / at (UTC)"],
        [
            [
                t.title,
                t.priority,
                _who(t.assignee),
                instants.iso_utc(t.due_at),
                t.get_status_display(),
                f"{_who(t.resolved_by)} {instants.iso_utc(t.resolved_at)}".strip(),
                f"{_who(t.verified_by)} {instants.iso_utc(t.verified_at)}".strip(),
            ]
            for t in data.page.tasks
        ],
        (75, 15, 28, 32, 23, 50, 50),
    )


def _who(user: Any) -> str:
    return str(user.get_username()) if user else ""


def _evidence(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("Evidence and documents (SHA-256)")
    rows = [
        [f"Document: {doc.original_name}", f"{doc.size} B", doc.sha256, instants.iso_utc(doc.uploaded_at)]
        for doc in data.page.documents
    ] + [
        [
            f"Evidence for '{ev.task.title}': {ev.original_name or ev.url}",
            f"{ev.size or ''} B" if ev.size else "link",
            ev.sha256 or "-",
            instants.iso_utc(ev.added_at),
        ]
        for ev in data.evidence
    ]
    pdf.grid(["Item", "Size", "SHA-256", "Added (UTC)"], rows, (95, 20, 123, 35))


def _timeline(pdf: ReportPDF, data: ReportData) -> None:
    zone = data.zone
    pdf.heading("Timeline (every entry, by sequence)")
    pdf.grid(
        ["#", "Kind", f"Occurred ({zone})", "Occurred (UTC)", "Recorded (UTC)", "Actor", "Summary"],
        [
            [
                e.seq,
                e.get_kind_display()
                + (f" (corrects #{e.supersedes.seq})" if e.supersedes_id and e.supersedes else ""),
                instants.iso_local(e.occurred_at, zone),
                instants.iso_utc(e.occurred_at),
                instants.iso_utc(e.recorded_at, seconds=True),
                e.actor_label,
                e.summary,
            ]
            for e in data.all_entries()
        ],
        (8, 27, 45, 32, 37, 20, 104),
    )
