"""The static files' storage keeps each name's URL after its first lookup."""

import json

import pytest
from django.test import override_settings

from apps.core.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"css/baro.css": "css/baro.0123abcd.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    with override_settings(STATIC_ROOT=str(tmp_path), STATIC_URL="/static/", DEBUG=False):
        yield StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_a_name_is_looked_up_in_the_manifest_once(storage, monkeypatch):
    lookups = []
    stored_name = storage.stored_name
    monkeypatch.setattr(
        storage, "stored_name", lambda name: lookups.append(name) or stored_name(name)
    )
    assert storage.url("css/baro.css") == "/static/css/baro.0123abcd.css"
    assert storage.url("css/baro.css") == "/static/css/baro.0123abcd.css"
    assert lookups == ["css/baro.css"]


def test_a_name_the_manifest_lacks_still_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
