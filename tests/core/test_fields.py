import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.core.converters import TSIDConverter
from apps.core.fields import TSID, TSIDFormField
from tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_primary_keys_are_tsids_stored_as_bigint_and_shown_as_13_characters():
    user = UserFactory()
    fresh = get_user_model().objects.get(pk=user.pk)
    assert isinstance(fresh.pk, TSID)
    assert len(str(fresh.pk)) == 13
    assert int(fresh.pk) == int(user.pk)


def test_lookup_by_string_is_case_insensitive():
    user = UserFactory()
    assert get_user_model().objects.get(pk=str(user.pk).lower()) == user


def test_foreign_keys_come_back_as_tsids():
    store = StoreFactory()
    store.refresh_from_db()
    assert isinstance(store.owner_id, TSID)
    assert str(store.owner_id) == str(store.owner.pk)


def test_ids_created_later_sort_later():
    first, second = UserFactory(), UserFactory()
    assert second.pk > first.pk
    assert str(second.pk) > str(first.pk)


def test_malformed_string_lookup_is_a_validation_error_not_a_crash():
    with pytest.raises(ValidationError):
        get_user_model().objects.filter(pk="not-a-tsid!!").exists()


def test_form_field_accepts_strings_and_rejects_junk():
    field = TSIDFormField()
    value = TSID(123456789)
    assert field.clean(str(value).lower()) == value
    with pytest.raises(ValidationError):
        field.clean("UUUUUUUUUUUUU")
    assert field.prepare_value(value) == str(value)


def test_url_converter_round_trips_and_rejects():
    converter = TSIDConverter()
    value = TSID(987654321012345)
    assert converter.to_python(converter.to_url(value)) == value
    with pytest.raises(ValueError):
        converter.to_python("ZZZZZZZZZZZZZ")
