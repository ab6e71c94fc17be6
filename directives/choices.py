"""Every status and kind as a ``TextChoices``. Pure Python: importable by states.py without a database."""

from __future__ import annotations

from django.db import models


class DirectiveKind(models.TextChoices):
    MANDATORY_ORDER = "mandatory_order", "Mandatory order"
    EXPORT_CONTROL = "export_control", "Export control"
    VOLUNTARY_REVIEW = "voluntary_review", "Voluntary review"
    DESIGNATION = "designation", "Designation"
    ASSESSMENT = "assessment", "Inquiry or assessment"
    OTHER = "other", "Other"


class DirectiveStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    IN_EFFECT = "in_effect", "In effect"
    IN_REMEDIATION = "in_remediation", "In remediation"
    COMPLIANT = "compliant", "Compliant"
    LIFTED = "lifted", "Lifted"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Posture(models.TextChoices):
    UNDECIDED = "undecided", "Not yet decided"
    COMPLYING = "complying", "Complying"
    UNDER_PROTEST = "under_protest", "Complying under protest"
    CONTESTING = "contesting", "Contesting"


class LinkKind(models.TextChoices):
    """How one directive stands to another: "BIS-1 amends EO-2" (read from BIS-1's side)."""

    AMENDS = "amends", "Amends"
    SUPERSEDES = "supersedes", "Supersedes"
    RESPONDS_TO = "responds_to", "Responds to"
    RELATES_TO = "relates_to", "Relates to"


# How the other directive shows the same link: "EO-2 is amended by BIS-1". "Relates to" reads both ways.
LINK_INVERSE_LABELS: dict[str, str] = {
    LinkKind.AMENDS: "Amended by",
    LinkKind.SUPERSEDES: "Superseded by",
    LinkKind.RESPONDS_TO: "Responded to by",
    LinkKind.RELATES_TO: "Relates to",
}


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Government portal"
    LETTER = "letter", "Letter or courier"
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person"
    PUBLIC_NOTICE = "public_notice", "Public notice"
    OTHER = "other", "Other"


class AccessState(models.TextChoices):
    AVAILABLE = "available", "Available"
    RESTRICTED = "restricted", "Restricted"
    SUSPENDED = "suspended", "Suspended"


class DeadlineRule(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    HOURS = "hours", "Within N hours"
    CALENDAR_DAYS = "calendar_days", "Within N calendar days"
    BUSINESS_DAYS = "business_days", "Within N business days"
    BY_INSTANT = "by_instant", "By a stated date and time"


class ObligationStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    WAIVED = "waived", "Waived"


class Priority(models.TextChoices):
    P0 = "P0", "P0 - critical"
    P1 = "P1", "P1 - high"
    P2 = "P2", "P2 - medium"
    P3 = "P3", "P3 - low"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    RESOLVED = "resolved", "Resolved"
    VERIFIED = "verified", "Verified"


class EvidenceKind(models.TextChoices):
    LINK = "link", "Link"
    FILE = "file", "File"


class EntryKind(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACCESS_CHANGED = "access_changed", "Access changed"
    STATUS_CHANGED = "status_changed", "Status changed"
    POSTURE_CHANGED = "posture_changed", "Posture changed"
    DOCUMENT_ADDED = "document_added", "Document added"
    OBLIGATION_ADDED = "obligation_added", "Obligation added"
    OBLIGATION_MET = "obligation_met", "Obligation met"
    OBLIGATION_MISSED = "obligation_missed", "Obligation missed"
    OBLIGATION_WAIVED = "obligation_waived", "Obligation waived"
    TASK_CREATED = "task_created", "Task created"
    TASK_UPDATED = "task_updated", "Task updated"
    TASK_RESOLVED = "task_resolved", "Task resolved"
    TASK_VERIFIED = "task_verified", "Task verified"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    ESCALATED = "escalated", "Escalated"
    ESCALATION_CANCELLED = "escalation_cancelled", "Escalation cancelled"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    REMINDER_SKIPPED = "reminder_skipped", "Reminder skipped"
    NOTIFICATION_FAILED = "notification_failed", "Notification failed"
    STATEMENT_PUBLISHED = "statement_published", "Statement published"
    APPEAL_FILED = "appeal_filed", "Appeal filed"
    ACTION_RECORDED = "action_recorded", "Action recorded"
    COMMENT = "comment", "Comment"
    CORRECTION = "correction", "Correction"
    DIRECTIVE_AMENDED = "directive_amended", "Directive amended"
    DEADLINE_RECOMPUTED = "deadline_recomputed", "Deadline recomputed"
    CONVENTION_CHANGED = "convention_changed", "Counting convention changed"
    ACCESS_REQUESTED = "access_requested", "Access change requested"
    ACCESS_APPLIED = "access_applied", "Access change applied"
    ACCESS_CONFIRMED = "access_confirmed", "Access change confirmed"
    ACCESS_FAILED = "access_failed", "Access change failed"
    DRIFT_DETECTED = "drift_detected", "Drift detected"
    LIFT_REQUESTED = "lift_requested", "Lift requested"
    LIFT_APPROVED = "lift_approved", "Lift approved"
    LINK_ADDED = "link_added", "Link added"
    LINK_REMOVED = "link_removed", "Link removed"


# What legal may record by hand as "what happened and when"; the rest are written by the services
# that perform the action (a status change, an access change, an escalation...).
RECORDABLE_KINDS: tuple[EntryKind, ...] = (
    EntryKind.ACKNOWLEDGED,
    EntryKind.STATEMENT_PUBLISHED,
    EntryKind.APPEAL_FILED,
    EntryKind.ACTION_RECORDED,
    EntryKind.COMMENT,
)


class ConnectorKind(models.TextChoices):
    MANUAL = "manual", "Manual (a person confirms)"
    WEBHOOK = "webhook", "Signed webhook"
    UNLEASH = "unleash", "Unleash feature flag"


class EnforcementStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPLIED = "applied", "Applied, not yet confirmed"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed (will retry)"
    DEAD = "dead", "Dead (gave up)"
    SUPERSEDED = "superseded", "Superseded by a later change"


class LiftStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second person"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Role(models.TextChoices):
    LEGAL = "legal", "Legal"
    ENGINEERING = "engineering", "Engineering"
    EXECUTIVE = "executive", "Executive"
    AUDITOR = "auditor", "Auditor"
