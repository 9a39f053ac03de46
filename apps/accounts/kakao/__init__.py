"""Log in with Kakao: allauth's Kakao provider, with its endpoints read from settings
(KAKAO_AUTHORIZE_URL, KAKAO_TOKEN_URL, KAKAO_PROFILE_URL) so a test can point them at
a stand-in on loopback. Everything else is allauth's."""
