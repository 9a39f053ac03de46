from allauth.socialaccount.providers.kakao.views import KakaoOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import Http404


class KakaoAdapter(KakaoOAuth2Adapter):
    @property
    def authorize_url(self) -> str:
        return settings.KAKAO_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:
        return settings.KAKAO_TOKEN_URL

    @property
    def profile_url(self) -> str:
        return settings.KAKAO_PROFILE_URL


def _only_when_configured(view):
    """Without KAKAO_CLIENT_ID and KAKAO_CLIENT_SECRET there is no Kakao log-in: its
    addresses answer 404 (allauth would fail looking for the app)."""

    def wrapper(request, *args, **kwargs):
        if not (settings.KAKAO_CLIENT_ID and settings.KAKAO_CLIENT_SECRET):
            raise Http404("Kakao log-in is not set up here.")
        return view(request, *args, **kwargs)

    return wrapper


oauth2_login = _only_when_configured(OAuth2LoginView.adapter_view(KakaoAdapter))
oauth2_callback = _only_when_configured(OAuth2CallbackView.adapter_view(KakaoAdapter))
