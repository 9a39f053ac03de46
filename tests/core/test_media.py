from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_uploaded_files_are_served_from_the_media_root_in_force(client, settings, tmp_path):
    client.get("/favicon.ico")  # the URLs are loaded before MEDIA_ROOT changes
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("looks/covers/example.txt", ContentFile(b"cover"))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"cover"
