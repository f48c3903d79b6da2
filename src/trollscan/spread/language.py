"""A light language guess for the chronology: the script first, then letters and common words.

Good enough to count a story's items by language (ru, kk, ky, en, zh, and fr, de, es, ar, el),
not to label a single short text with certainty. The source's own language field wins when it
names one (`items.language`); Twitter's "und", "qme", "qht", "zxx" name none.
"""

from __future__ import annotations

import re

__all__ = ["guess_language", "item_languages", "UNKNOWN"]

UNKNOWN = "und"
_NO_LANGUAGE = {"", "und", "zxx", "qme", "qht", "qam", "qct", "qst", "art"}
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_KAZAKH = re.compile(r"[әғқұһіӘҒҚҰҺІ]")  # letters Russian and Kyrgyz do not use
_KYRGYZ = re.compile(r"[ңөүҢӨҮ]")  # used by Kyrgyz (and Kazakh, caught above)
_WORD = re.compile(r"[^\W\d_]+")
_COMMON = {
    "en": set("the and of to in is are was were for on with that this it by from at as be have has not over "
              "news says say what we know".split()),
    "fr": set("le la les des du de et est un une dans pour pas que qui sur au aux à cause ce cette sont".split()),
    "de": set("der die das und ist nicht ein eine in im den dem des mit von wegen zu auf für brennen".split()),
    "es": set("el la los las de del y en que por un una es con para se queman al su".split()),
}
_ACCENTS = {"fr": re.compile(r"[çèêëàâîôœ]"), "de": re.compile(r"[äöüß]"), "es": re.compile(r"[ñ¿¡áíóú]")}


def guess_language(text: str | None) -> str:
    """An ISO 639-1 code for `text`, or "und" when there is too little to tell."""
    if not text:
        return UNKNOWN
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        if _KAZAKH.search(text):
            return "kk"
        return "ky" if _KYRGYZ.search(text) else "ru"
    if _ARABIC.search(text):
        return "ar"
    if _GREEK.search(text):
        return "el"
    words = [w for w in _WORD.findall(text.lower()) if not w.startswith("http")]
    if not words:
        return UNKNOWN
    low = text.lower()
    score = {lang: sum(w in common for w in words) + 2 * len(_ACCENTS[lang].findall(low)) if lang in _ACCENTS
             else sum(w in common for w in words) for lang, common in _COMMON.items()}
    best = max(sorted(score), key=lambda lang: score[lang])
    return best if score[best] > 0 else UNKNOWN


def item_languages(texts: list[str | None], given: list[str | None]) -> list[str]:
    """Per item: the source's language when it names one, else the guess from its text."""
    out = []
    seen: dict[str | None, str] = {}
    for text, lang in zip(texts, given):
        code = (lang or "").strip().lower().split("-")[0]
        if code in _NO_LANGUAGE:
            code = seen.get(text)
            if code is None:
                code = seen[text] = guess_language(text)
        out.append(code)
    return out
