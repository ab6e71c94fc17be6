"""The demo scenario of the seed article, told through the same services a person would use.

Placed on the most recent Friday (America/New_York) so that it is live when someone opens it:
the Commerce order at 17:21 ET, the total shutdown minutes later, the statement under protest,
remediation tasks (some already overdue), and the other instruments live at the same time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ..choices import (
    AccessState,
    DeadlineRule,
    DeliveryChannel,
    DirectiveKind,
    DirectiveStatus,
    EntryKind,
    LinkKind,
    Posture,
    Priority,
    Role,
    TaskStatus,
)
from ..models import Audience, Authority, Directive, Enforcement, Product
from . import controls
from . import directives as d
from . import enforcement as e
from . import obligations as o
from . import products as p
from . import tasks as t
from .links import NewLink

ET = ZoneInfo("America/New_York")
BRUSSELS = ZoneInfo("Europe/Brussels")
COMMERCE_REFERENCE = "BIS-ORD-AI-2026-0417"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role | None
    full_name: str
    staff: bool = False

    @property
    def password(self) -> str:
        return f"docket-demo-{self.username}"


DEMO_USERS = [
    DemoUser("legal", Role.LEGAL, "Lena Gallo (Legal)"),
    DemoUser("engineer", Role.ENGINEERING, "Eli Ng (Engineering)"),
    DemoUser("engineer2", Role.ENGINEERING, "Esme Okafor (Engineering)"),
    DemoUser("executive", Role.EXECUTIVE, "Xavier Moreau (Executive)"),
    DemoUser("auditor", Role.AUDITOR, "Ada Quist (Audit)"),
    DemoUser("admin", None, "Site administrator", staff=True),
]


def most_recent_friday(now: dt.datetime) -> dt.date:
    """The latest Friday whose 17:21 ET lies at least an hour before ``now``."""
    local = now.astimezone(ET)
    day = local.date()
    while True:
        if day.weekday() == 4 and dt.datetime.combine(day, dt.time(17, 21), ET) <= now - dt.timedelta(
            hours=1
        ):
            return day
        day -= dt.timedelta(days=1)


def ensure_users() -> tuple[dict[str, Any], list[DemoUser]]:
    """Create the demo users; return them and those created now (whose passwords to print)."""
    user_model = get_user_model()
    users: dict[str, Any] = {}
    created_now: list[DemoUser] = []
    for spec in DEMO_USERS:
        first, _, last = spec.full_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": first,
                "last_name": last.split(" (")[0],
                "email": f"{spec.username}@docket.example",
                "is_staff": spec.staff,
                "is_superuser": spec.staff,
            },
        )
        if created:
            user.set_password(spec.password)
            user.save()
            created_now.append(spec)
        if spec.role:
            user.groups.add(Group.objects.get_or_create(name=spec.role.value)[0])
        users[spec.username] = user
    return users, created_now


@transaction.atomic
def load_demo(*, now: dt.datetime) -> dict[str, Any]:
    users, created = ensure_users()
    existing = Directive.objects.filter(reference=COMMERCE_REFERENCE).first()
    if existing is not None:
        return {"loaded": False, "users_created": created, "directive": existing}
    legal, eng, eng2 = users["legal"], users["engineer"], users["engineer2"]

    friday = most_recent_friday(now)
    if dt.datetime.combine(friday + dt.timedelta(days=1), dt.time(10, 0), ET) > now:
        # The story runs to Saturday 10:00 ET (the statement); on the Friday evening itself it is last week's.
        friday -= dt.timedelta(days=7)

    def at(days: int, hour: int, minute: int, tz: ZoneInfo = ET) -> dt.datetime:
        return dt.datetime.combine(friday + dt.timedelta(days=days), dt.time(hour, minute), tz)

    last_recorded = dt.datetime.min.replace(tzinfo=dt.UTC)

    def when(value: dt.datetime, *, plus: int = 0) -> dt.datetime:
        """The moment the demo pretends it was recorded: shortly after, never going back, never after now."""
        nonlocal last_recorded
        last_recorded = max(last_recorded, value + dt.timedelta(minutes=plus))
        return min(last_recorded, now)

    commerce = Authority.objects.get_or_create(
        name="U.S. Department of Commerce, Bureau of Industry and Security",
        defaults={
            "short_name": "Commerce (BIS)",
            "jurisdiction": "United States (federal)",
            "time_zone": "America/New_York",
            "calendar_country": "US",
        },
    )[0]
    white_house = Authority.objects.get_or_create(
        name="Executive Office of the President",
        defaults={
            "short_name": "White House",
            "jurisdiction": "United States (federal)",
            "time_zone": "America/New_York",
            "calendar_country": "US",
        },
    )[0]
    pentagon = Authority.objects.get_or_create(
        name="U.S. Department of Defense",
        defaults={
            "short_name": "Pentagon",
            "jurisdiction": "United States (federal)",
            "time_zone": "America/New_York",
            "calendar_country": "US",
        },
    )[0]
    commission = Authority.objects.get_or_create(
        name="European Commission",
        defaults={
            "short_name": "EU Commission",
            "jurisdiction": "European Union",
            "time_zone": "Europe/Brussels",
            "calendar_country": "BE",
        },
    )[0]

    mythos = Product.objects.filter(name="Mythos").first() or p.create_product(
        name="Mythos",
        description="Frontier model; limited federal release in preparation.",
        owner_team="Model Platform",
    )
    fable = Product.objects.filter(name="Fable 5").first() or p.create_product(
        name="Fable 5",
        description="General-availability model deployed to millions of users.",
        owner_team="Model Platform",
    )
    audiences = {a.key: a for a in Audience.objects.all()}
    # Both switched by hand in the demo (no external switch on the embedded default): the access changes
    # are requested through the controls and an engineer confirms them (docs/enforcement.md).
    for product in (mythos, fable):
        controls.set_control(product=product, kind="manual", owner=eng)

    # --- Earlier this year: the executive order and the Pentagon designation -----------------
    eo_received = dt.datetime(friday.year, 1, 23, 10, 0, tzinfo=ET)
    eo = d.log_directive(
        authority=white_house,
        reference="EO-2026-VMR",
        title="Executive order on voluntary frontier model review",
        kind=DirectiveKind.VOLUNTARY_REVIEW,
        received_at=eo_received,
        actor=legal,
        now=when(eo_received, plus=90),
        delivery_channel=DeliveryChannel.PUBLIC_NOTICE,
        posture=Posture.COMPLYING,
        summary="Frontier developers are invited to submit models for voluntary pre-deployment review.",
    )
    d.transition_directive(
        directive=eo,
        to_status=DirectiveStatus.IN_EFFECT,
        actor=legal,
        now=when(eo_received, plus=120),
        note="Remains in effect.",
    )

    dod_received = dt.datetime(friday.year, 3, 5, 9, 30, tzinfo=ET)
    dod = d.log_directive(
        authority=pentagon,
        reference="DOD-SCR-2026-011",
        title="Supply-chain risk designation",
        kind=DirectiveKind.DESIGNATION,
        received_at=dod_received,
        actor=legal,
        now=when(dod_received, plus=45),
        delivery_channel=DeliveryChannel.LETTER,
        posture=Posture.CONTESTING,
        summary="The company is designated a supply-chain risk after disagreements over military use.",
        products=[d.AffectedProduct(mythos, "No use in defense surveillance systems")],
    )
    d.transition_directive(
        directive=dod,
        to_status=DirectiveStatus.IN_EFFECT,
        actor=legal,
        now=when(dod_received, plus=60),
        note="Ongoing tensions over military use.",
    )
    d.publish_statement(
        directive=dod,
        actor=legal,
        now=when(dod_received + dt.timedelta(days=2)),
        text="We disagree with the designation and are seeking review.",
        posture=Posture.CONTESTING,
    )

    # --- Friday: the researchers' report, then the Commerce order at 17:21 ET ------------------
    received = at(0, 17, 21)
    logged = when(received, plus=19)  # legal logs it at 17:40
    order = d.log_directive(
        authority=commerce,
        reference=COMMERCE_REFERENCE,
        title="Order to block foreign nationals from Mythos and Fable 5",
        kind=DirectiveKind.EXPORT_CONTROL,
        received_at=received,
        actor=legal,
        now=logged,
        delivery_channel=DeliveryChannel.EMAIL,
        summary="National-security order after a jailbreak of Fable 5 was found: block all foreign nationals "
        "from Mythos and Fable 5 until the vulnerability is remediated and the controls are lifted.",
        full_text="The Company shall immediately block all foreign nationals from accessing the models "
        "designated Mythos and Fable 5 ...",
        products=[
            d.AffectedProduct(mythos, "Block foreign nationals"),
            d.AffectedProduct(fable, "Block foreign nationals"),
        ],
        # The order stands beside the executive order (still in effect) and the Pentagon's designation.
        links=[NewLink(LinkKind.RELATES_TO, eo), NewLink(LinkKind.RELATES_TO, dod)],
    )
    d.add_document(
        directive=order,
        actor=legal,
        now=when(received, plus=21),
        upload=SimpleUploadedFile(
            "BIS-order-2026-0417.txt",
            b"U.S. Department of Commerce - Bureau of Industry and Security\nOrder BIS-ORD-AI-2026-0417\n"
            b"Block all foreign nationals from Mythos and Fable 5, effective immediately.\n",
            content_type="text/plain",
        ),
    )
    d.record_action(
        directive=order,
        kind=EntryKind.ACTION_RECORDED,
        actor=legal,
        now=when(received, plus=22),
        occurred_at=at(0, 11, 5),
        summary="Earlier Friday: outside researchers (reported as Amazon's) told federal officials that Fable 5 "
        "could be jailbroken; this report started the order.",
    )
    block = o.add_obligation(
        directive=order,
        title="Block all foreign nationals from Mythos and Fable 5",
        deadline_rule=DeadlineRule.IMMEDIATELY,
        actor=legal,
        now=when(received, plus=23),
    )
    plan = o.add_obligation(
        directive=order,
        title="Submit a remediation plan to BIS",
        deadline_rule=DeadlineRule.BUSINESS_DAYS,
        deadline_amount=2,
        actor=legal,
        now=when(received, plus=24),
    )
    certify = o.add_obligation(
        directive=order,
        title="Certify remediation of the jailbreak before controls can be lifted",
        deadline_rule=DeadlineRule.CALENDAR_DAYS,
        deadline_amount=30,
        actor=legal,
        now=when(received, plus=25),
    )
    d.record_action(
        directive=order,
        kind=EntryKind.ACKNOWLEDGED,
        actor=legal,
        now=when(received, plus=26),
        occurred_at=at(0, 17, 35),
        summary="Receipt acknowledged to BIS by email.",
    )
    d.transition_directive(
        directive=order,
        to_status=DirectiveStatus.IN_EFFECT,
        actor=legal,
        now=when(received, plus=27),
        occurred_at=received,
    )

    # 17:48 ET: total shutdown for every user, domestic and international, to be sure of compliance.
    shutdown = at(0, 17, 48)
    everyone = [
        audiences[k] for k in ("all-users", "foreign-nationals", "domestic-users", "government-agencies")
    ]
    for product in (fable, mythos):
        p.record_access_change(
            product=product,
            audiences=everyone,
            state=AccessState.SUSPENDED,
            directive=order,
            occurred_at=shutdown,
            actor=eng,
            now=when(shutdown, plus=4),
            reason="Total shutdown for domestic and international users to ensure compliance.",
        )
        requested = Enforcement.objects.filter(control__product=product, directive=order).last()
        if requested is not None and requested.confirmed_at is None:
            e.confirm_manually(enforcement=requested, actor=eng, now=when(shutdown, plus=5))
    o.mark_obligation_met(
        obligation=block,
        met_at=shutdown,
        actor=legal,
        now=when(shutdown, plus=6),
        note="Met by suspending access for all users.",
    )
    shutdown_task = t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=block,
        title="Suspend consumer and API access to Mythos and Fable 5",
        actor=legal,
        now=when(received, plus=24),
        assignee=eng,
        priority=Priority.P0,
    )
    t.resolve_task(
        task=shutdown_task,
        actor=eng,
        now=when(shutdown, plus=5),
        resolution="Access suspended for all users at 17:48 ET via the serving kill switch.",
        evidence_links=["https://status.docket.example/incidents/fable5-shutdown"],
    )
    t.verify_task(
        task=shutdown_task,
        actor=eng2,
        now=when(shutdown, plus=15),
        note="Confirmed: API returns 451 for every region.",
    )
    d.transition_directive(
        directive=order,
        to_status=DirectiveStatus.IN_REMEDIATION,
        actor=legal,
        now=when(shutdown, plus=20),
        occurred_at=when(shutdown, plus=20),
    )

    # Remediation tasks, some already overdue.
    patch = t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=certify,
        product=fable,
        title="Patch the Fable 5 guardrail jailbreak",
        description="Reproduce the researchers' bypass, fix the safety classifier, and ship behind a flag.",
        actor=legal,
        now=when(received, plus=30),
        assignee=eng,
        priority=Priority.P0,
        due_at=received + dt.timedelta(hours=24),
    )
    t.change_task_status(task=patch, to_status=TaskStatus.IN_PROGRESS, actor=eng, now=when(received, plus=40))
    t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=certify,
        product=fable,
        title="Red-team regression suite for the bypass",
        actor=legal,
        now=when(received, plus=31),
        assignee=eng2,
        priority=Priority.P1,
        due_at=received + dt.timedelta(hours=36),
    )
    t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=block,
        product=mythos,
        title="Nationality verification gate so domestic access can be restored",
        actor=legal,
        now=when(received, plus=32),
        assignee=eng2,
        priority=Priority.P0,
        due_at=plan.due_at,
    )
    t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=plan,
        title="Draft the remediation plan for BIS",
        actor=legal,
        now=when(received, plus=33),
        assignee=eng,
        priority=Priority.P1,
    )
    t.create_task(
        notify_assignee=False,
        directive=order,
        obligation=certify,
        title="Independent verification of the fix before requesting lift",
        actor=legal,
        now=when(received, plus=34),
        priority=Priority.P2,
        due_at=received + dt.timedelta(days=14),
    )

    # Saturday: the public statement, complying under protest.
    statement_at = at(1, 10, 0)
    d.publish_statement(
        directive=order,
        actor=legal,
        now=when(statement_at, plus=5),
        occurred_at=statement_at,
        posture=Posture.UNDER_PROTEST,
        url="https://www.docket.example/news/statement-on-commerce-order",
        text="A narrow potential jailbreak does not justify a total recall of a commercial product deployed to "
        "millions of users. If this standard was applied across the industry, it would essentially halt all "
        "new model deployments for all frontier model providers. We are complying while we remediate.",
    )

    stalled = t.create_task(
        notify_assignee=False,
        directive=dod,
        product=mythos,
        title="Limited release of Mythos to federal agencies",
        actor=legal,
        now=when(received, plus=35),
        assignee=eng2,
        priority=Priority.P2,
        due_at=received + dt.timedelta(days=21),
    )
    t.change_task_status(
        task=stalled,
        to_status=TaskStatus.BLOCKED,
        actor=eng2,
        now=when(received, plus=36),
        note="Stalled by the Commerce order.",
    )

    # Saturday in Brussels: the Commission assesses the impact on technological sovereignty.
    eu_received = at(1, 9, 0, BRUSSELS)
    if eu_received > now:
        eu_received = now - dt.timedelta(minutes=5)
    eu = d.log_directive(
        authority=commission,
        reference="EC-ASSESS-2026-AI-07",
        title="Assessment of the U.S. order's impact on EU technological sovereignty",
        kind=DirectiveKind.ASSESSMENT,
        received_at=eu_received,
        actor=legal,
        now=when(eu_received, plus=60),
        delivery_channel=DeliveryChannel.PUBLIC_NOTICE,
        links=[NewLink(LinkKind.RELATES_TO, order)],  # the Commission assesses the U.S. order
        summary="The Commission has signalled it is assessing the impact of the U.S. order.",
        products=[
            d.AffectedProduct(mythos, "Impact assessment"),
            d.AffectedProduct(fable, "Impact assessment"),
        ],
    )
    d.transition_directive(
        directive=eu, to_status=DirectiveStatus.UNDER_REVIEW, actor=legal, now=when(eu_received, plus=70)
    )
    o.add_obligation(
        directive=eu,
        title="Answer the Commission's questionnaire",
        actor=legal,
        deadline_rule=DeadlineRule.BUSINESS_DAYS,
        deadline_amount=10,
        now=when(eu_received, plus=75),
    )
    return {"loaded": True, "users_created": created, "directive": order}
