from allauth.socialaccount.providers.kakao.provider import KakaoProvider as _KakaoProvider

from .views import KakaoAdapter


class KakaoProvider(_KakaoProvider):
    oauth2_adapter_class = KakaoAdapter


provider_classes = [KakaoProvider]
