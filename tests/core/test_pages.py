from apps.core.pages import release


def test_the_release_digest_changes_with_a_template_and_with_the_code(settings, tmp_path):
    """Stored pages are keyed by the release, so a deploy never serves old HTML."""
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = None
    (tmp_path / "templates").mkdir()
    (tmp_path / "apps").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ look.title }}</p>")
    (tmp_path / "apps" / "views.py").write_text("TITLE = 1\n")
    before = release.__wrapped__()
    assert release.__wrapped__() == before
    page.write_text("<p>{{ look.title|upper }}</p>")
    after_template = release.__wrapped__()
    (tmp_path / "apps" / "views.py").write_text("TITLE = 2\n")
    after_code = release.__wrapped__()
    (tmp_path / "requirements.txt").write_text("Django==5.2.20\n")
    assert len({before, after_template, after_code, release.__wrapped__()}) == 4
