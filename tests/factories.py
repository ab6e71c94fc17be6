"""factory_boy factories. Reference data is built directly; legal records through the services, so
that every factory-made directive, obligation and task has its timeline entries like a real one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from directives import models
from directives.choices import DeadlineRule, DirectiveKind, Priority, Role
from directives.services import directives as directive_services
from directives.services import obligations as obligation_services
from directives.services import products as product_services
from directives.services import tasks as task_services

ET_FRIDAY_1721 = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)  # Friday 17:21 America/New_York


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@docket.example")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def role(obj: Any, create: bool, extracted: Role | str | None, **kwargs: Any) -> None:
        if create and extracted:
            obj.groups.add(Group.objects.get_or_create(name=str(extracted))[0])
        if create:
            obj.save()


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Authority
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Authority {n}")
    short_name = factory.LazyAttribute(lambda a: a.name[:40])
    jurisdiction = "United States (federal)"
    time_zone = "America/New_York"
    calendar_country = "US"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Product {n}")

    @factory.post_generation
    def access(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for audience in models.Audience.objects.all():
                models.ProductAccess.objects.get_or_create(product=self, audience=audience)


def legal_user() -> Any:
    return UserFactory(username="legal-test", role=Role.LEGAL)


def make_directive(
    *,
    actor: Any = None,
    authority: models.Authority | None = None,
    received_at: dt.datetime = ET_FRIDAY_1721,
    now: dt.datetime | None = None,
    reference: str | None = None,
    products: list[models.Product] | None = None,
    **kwargs: Any,
) -> models.Directive:
    actor = actor or legal_user()
    return directive_services.log_directive(
        authority=authority or AuthorityFactory.create(),
        reference=reference or f"REF-{models.Directive.objects.count() + 1}",
        title=kwargs.pop("title", "Order to block foreign nationals"),
        kind=kwargs.pop("kind", DirectiveKind.EXPORT_CONTROL),
        received_at=received_at,
        actor=actor,
        now=now or received_at + dt.timedelta(minutes=19),
        products=[directive_services.AffectedProduct(p, "Block foreign nationals") for p in (products or [])],
        **kwargs,
    )


def make_obligation(
    directive: models.Directive,
    *,
    actor: Any = None,
    now: dt.datetime | None = None,
    rule: str = DeadlineRule.HOURS,
    amount: int | None = 24,
    **kwargs: Any,
) -> models.Obligation:
    return obligation_services.add_obligation(
        directive=directive,
        title=kwargs.pop("title", "Block foreign nationals"),
        deadline_rule=rule,
        deadline_amount=amount,
        actor=actor or legal_user(),
        now=now or directive.received_at + dt.timedelta(minutes=30),
        **kwargs,
    )


def make_task(
    directive: models.Directive,
    *,
    actor: Any = None,
    now: dt.datetime | None = None,
    priority: str = Priority.P1,
    **kwargs: Any,
) -> models.RemediationTask:
    return task_services.create_task(
        directive=directive,
        title=kwargs.pop("title", "Patch the jailbreak"),
        actor=actor or legal_user(),
        now=now or directive.received_at + dt.timedelta(minutes=40),
        priority=priority,
        notify_assignee=kwargs.pop("notify_assignee", False),
        **kwargs,
    )


def make_product(name: str = "Fable 5") -> models.Product:
    existing = models.Product.objects.filter(name=name).first()
    return existing or product_services.create_product(name=name)
