import pytest

from trollscan.ingest import profile_url
from trollscan.ingest.profile_url import Profile, parse_profile_url


@pytest.mark.parametrize("url, platform, account_id, handle", [
    ("https://www.facebook.com/profile.php?id=100026517734481", "facebook", "100026517734481", None),
    ("facebook.com/profile.php?id=100026517734481&ref=content_filter", "facebook", "100026517734481", None),
    ("https://m.facebook.com/Albina.Abilova.5/?ref=bookmarks#top", "facebook", "albina.abilova.5",
     "Albina.Abilova.5"),
    ("fb.com/yerassyl.sultanov", "facebook", "yerassyl.sultanov", "yerassyl.sultanov"),
    ("http://web.facebook.com/100026517734481", "facebook", "100026517734481", None),
    ("https://www.facebook.com/people/Kamshat-U/100026517734481/", "facebook", "100026517734481", None),
    ("instagram.com/Dinara_Saparova_kz/", "instagram", "dinara_saparova_kz", "Dinara_Saparova_kz"),
    ("https://vk.com/id512334871", "vk", "512334871", None),
    ("m.vk.com/zhanar.ospanova", "vk", "zhanar.ospanova", "zhanar.ospanova"),
    ("https://x.com/Kg_Patriot_2020?s=20", "twitter", "kg_patriot_2020", "Kg_Patriot_2020"),
    ("https://mobile.twitter.com/Kg_Patriot_2020/", "twitter", "kg_patriot_2020", "Kg_Patriot_2020"),
    ("t.me/matraimov_fan_kg", "telegram", "matraimov_fan_kg", "matraimov_fan_kg"),
    ("https://t.me/s/matraimov_fan_kg", "telegram", "matraimov_fan_kg", "matraimov_fan_kg"),
    ("https://ok.ru/profile/578812334455", "ok", "578812334455", None),
    ("ok.ru/bakyt.toktogulov", "ok", "bakyt.toktogulov", "bakyt.toktogulov"),
    ("https://www.youtube.com/@NurTV_kz", "youtube", "nurtv_kz", "NurTV_kz"),
    ("youtube.com/channel/UCabc123_-XYZ", "youtube", "UCabc123_-XYZ", None),
    ("https://www.tiktok.com/@aisulu_8080?lang=ru", "tiktok", "aisulu_8080", "aisulu_8080"),
    ("  HTTPS://WWW.FACEBOOK.COM/profile.php?id=42  ", "facebook", "42", None),
])
def test_profile_url_gives_platform_and_account(url, platform, account_id, handle) -> None:
    found = parse_profile_url(url)
    assert found is not None
    assert (found.platform, found.account_id, found.handle) == (platform, account_id, handle)


@pytest.mark.parametrize("url", [
    "",
    "not a url",
    "https://example.kz/news/12345",
    "https://www.facebook.com/groups/123456789",
    "https://www.facebook.com/profile.php",
    "https://www.facebook.com/profile.php?id=abc",
    "https://www.facebook.com/albina.abilova.5/posts/123",
    "https://www.instagram.com/p/CGx1abc/",
    "https://x.com/i/status/123",
    "https://t.me/joinchat/AAAAAE",
    "ftp://vk.com/id1",
    "https://vk.com/",
    "https://youtube.com/watch?v=abc",
    "https://www.tiktok.com/aisulu_8080",
])
def test_url_that_names_no_profile_gives_none(url) -> None:
    assert parse_profile_url(url) is None


def test_profile_url_is_normalised() -> None:
    assert parse_profile_url("m.facebook.com/profile.php?id=42&ref=x#frag").url == \
        "https://www.facebook.com/profile.php?id=42"
    assert parse_profile_url("twitter.com/Kg_Patriot/").url == "https://x.com/Kg_Patriot"


def test_numeric_and_vanity_vk_urls_differ() -> None:
    assert parse_profile_url("vk.com/id42") == Profile("vk", "42", None, "https://vk.com/id42")
    assert parse_profile_url("vk.com/idol").account_id == "idol"


def test_public_names_are_listed_in_all() -> None:
    for name in profile_url.__all__:
        assert hasattr(profile_url, name)
