from django.apps import AppConfig


class KakaoConfig(AppConfig):
    name = "apps.accounts.kakao"
    label = "baro_kakao"
    verbose_name = "Kakao login"
