"""Translations of a story's words, when a machine-translation tool is installed.

A story crosses languages (seed 004's went from Russian to English, German and Chinese). When a
translator is installed, `trollscan spread` translates the query's phrases and the story's most
common texts into every language pair the tool has, and looks for those translations too (matched
as `translation`: the words, or a near-duplicate of a translated text).

The hook is any object with `name`, `pairs()` (source, target ISO 639-1 codes) and
`translate(texts, source, target)`. One is built in: Apertium (https://apertium.org), a rule-based,
offline, deterministic translator packaged by Debian and Ubuntu (`apt-get install apertium
apertium-eng-spa`, one package per language pair; `apertium -l` lists them). Neural translators
(Argos Translate and the like) need model files fetched from their own sites, so none is wired
here; any of them fits the same three members.

Texts go to the tool on standard input, never on a command line, and the tool runs with a time
limit; what it prints is only ever matched, never run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Protocol

from ..errors import TranslatorFailed
from .language import guess_language

__all__ = ["Translator", "ApertiumTranslator", "find_translator", "translate_all", "ISO_639_1"]

# ISO 639-3 (Apertium's pair names) to the ISO 639-1 codes the rest of trollscan uses.
ISO_639_1 = {"eng": "en", "spa": "es", "rus": "ru", "ukr": "uk", "bel": "be", "kaz": "kk", "kir": "ky", "tat": "tt",
             "cat": "ca", "fra": "fr", "deu": "de", "ita": "it", "por": "pt", "glg": "gl", "eus": "eu", "ron": "ro",
             "nld": "nl", "afr": "af", "dan": "da", "nor": "no", "nob": "nb", "nno": "nn", "swe": "sv", "isl": "is",
             "mkd": "mk", "hbs": "sh", "bul": "bg", "pol": "pl", "ces": "cs", "slk": "sk", "slv": "sl", "arg": "an",
             "oci": "oc", "epo": "eo", "bre": "br", "srd": "sc", "ast": "ast", "zho": "zh", "ara": "ar", "tur": "tr",
             "uzb": "uz", "tgk": "tg"}
_MODE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")


class Translator(Protocol):
    name: str

    def pairs(self) -> list[tuple[str, str]]:
        """The (source, target) language pairs it translates, as ISO 639-1 codes."""
        ...

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """One translation per text, in order."""
        ...


class ApertiumTranslator:
    """Apertium, run as a program: `apertium -u -f txt MODE` (unknown words kept without marks)."""

    name = "apertium"

    def __init__(self, program: str = "apertium", *, timeout_s: float = 60.0) -> None:
        self.program = program
        self.timeout_s = timeout_s
        self._modes: dict[tuple[str, str], str] | None = None

    def _run(self, args: list[str], text: str = "") -> str:
        try:
            done = subprocess.run([self.program, *args], input=text, capture_output=True, text=True,
                                  timeout=self.timeout_s, check=False, encoding="utf-8", errors="replace")
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TranslatorFailed(f"The translator {self.program} did not run: {exc.__class__.__name__}.",
                                   "Check the installation (apertium -l), or run with --no-translate.") from None
        if done.returncode != 0:
            raise TranslatorFailed(f"The translator {self.program} {' '.join(args)} failed (exit {done.returncode}).",
                                   "Check the installation (apertium -l), or run with --no-translate.")
        return done.stdout

    def modes(self) -> dict[tuple[str, str], str]:
        """(source, target) -> the Apertium mode that translates it (plain pairs; variants left out)."""
        if self._modes is None:
            found: dict[tuple[str, str], str] = {}
            for line in self._run(["-l"]).splitlines():
                m = _MODE.match(line.strip())
                if m and m.group(1) in ISO_639_1 and m.group(2) in ISO_639_1:
                    found.setdefault((ISO_639_1[m.group(1)], ISO_639_1[m.group(2)]), m.group(0))
            self._modes = dict(sorted(found.items()))
        return self._modes

    def pairs(self) -> list[tuple[str, str]]:
        return list(self.modes())

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        mode = self.modes().get((source, target))
        if mode is None:
            raise TranslatorFailed(f"Apertium has no {source}->{target} pair installed.",
                                   f"Installed: {', '.join(f'{a}->{b}' for a, b in self.pairs()) or 'none'}.")
        lines = [" ".join(t.split()) for t in texts]  # one text a paragraph: no line breaks inside
        out = self._run(["-u", "-f", "txt", mode], "\n\n".join(lines) + "\n").strip("\n").split("\n\n")
        if len(out) != len(lines):  # the tool merged or split a paragraph: one text at a time
            out = [self._run(["-u", "-f", "txt", mode], line + "\n").strip() for line in lines]
        return [" ".join(t.split()) for t in out]


def find_translator(program: str = "apertium") -> ApertiumTranslator | None:
    """The installed translator with at least one language pair, or None."""
    path = shutil.which(program)
    if not path:
        return None
    tool = ApertiumTranslator(path)
    try:
        return tool if tool.pairs() else None
    except TranslatorFailed:
        return None


def translate_all(translator: Translator, texts: list[str]) -> list[tuple[str, str, str]]:
    """Each text through the translator's pairs from its language (`language.guess_language`, a light
    guess; every pair when the guess is none of the translator's languages): (translation, original,
    note "en->es by apertium"), leaving out translations that give the original back."""
    out, seen = [], set()
    pairs = translator.pairs()
    sources = {src for src, _ in pairs}
    by_source: dict[str, list[str]] = {}
    for text in dict.fromkeys(t for t in texts if t and t.strip()):
        lang = guess_language(text)
        for src in ([lang] if lang in sources else sorted(sources)):
            by_source.setdefault(src, []).append(text)
    for source, target in pairs:
        mine = by_source.get(source, [])
        if not mine:
            continue
        for original, translated in zip(mine, translator.translate(mine, source, target)):
            key = (translated.casefold(), original)
            if translated and translated.casefold() != " ".join(original.split()).casefold() and key not in seen:
                seen.add(key)
                out.append((translated, original, f"{source}->{target} by {translator.name}"))
    return out
