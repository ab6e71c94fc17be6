"""Who I am, and the token exchange."""

from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import serializers

from ..fields import StrictCharField

# DRF refuses a NUL character in any string; said here so that the schema says it too (a pattern).
NO_NUL = RegexValidator(r"^[^\x00]*$", message="Null characters are not allowed.")

# --- Users --------------------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    is_staff = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.DictField(
        child=serializers.BooleanField(), help_text="Each action of the role table: may this user do it."
    )
    actions = serializers.ListField(child=serializers.CharField(), help_text="The actions this user may do.")


class TokenInput(serializers.Serializer):
    username = StrictCharField(max_length=150, validators=[NO_NUL])
    password = StrictCharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}, validators=[NO_NUL]
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
