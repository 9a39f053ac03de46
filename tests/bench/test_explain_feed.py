import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.accounts.models import User
from apps.swipe import selectors
from apps.swipe.models import Look, Swipe
from tests.factories import LookFactory

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_explain_feed_refuses_a_database_that_is_not_its_own():
    LookFactory()
    assert not connection.settings_dict["NAME"].endswith(("_explain", "_bench"))
    with pytest.raises(CommandError, match="refuses to run"):
        call_command("explain_feed", looks=50, swipes=10, runs=1)
    assert Look.objects.count() == 1
    assert not Swipe.objects.exists()
    assert not User.objects.filter(email="heavy-swiper@baro.local").exists()


def explain_feed_in_its_own_database(capsys, **options) -> str:
    """What ``explain_feed`` prints, run as if this database were one of its own."""
    for _ in range(3):
        LookFactory()
    name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = f"{name}_explain"  # what the guard reads
    try:
        call_command("explain_feed", runs=1, **options)
    finally:
        connection.settings_dict["NAME"] = name
    return capsys.readouterr().out


@pytest.mark.postgres
def test_explain_feed_measures_in_a_database_of_its_own(capsys):
    out = explain_feed_in_its_own_database(capsys, looks=40, swipes=20)
    assert "heavy-swiper@baro.local has 20 swipes" in out
    assert "feed query EXPLAIN ANALYZE execution" in out


@pytest.mark.postgres
def test_explain_feed_gives_the_shopper_more_swipes_than_the_candidate_pool_holds(
    monkeypatch, capsys
):
    """The heavy swiper goes through the whole ranking, not only the candidate pool
    (three walks of POOL_EXAMINE looks), or a shopper with tens of thousands of swipes
    could not be made."""
    monkeypatch.setattr(selectors, "POOL_EXAMINE", 1)
    out = explain_feed_in_its_own_database(capsys, looks=30, swipes=12)
    assert "heavy-swiper@baro.local has 12 swipes" in out
