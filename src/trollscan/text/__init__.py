"""Copied words: normalisation, identical and near-identical texts (template families), shared
misspellings. See docs/text.md. (One text: `trollscan.text.normalise.normalise`.)"""

from .families import FamilyResult, text_families
from .findings import NEAR_DUPLICATE, SAME_TEXT, SHARED_MISSPELLING, family_findings, misspelling_findings
from .misspellings import shared_misspellings
from .normalise import normalise_texts

__all__ = ["normalise_texts", "text_families", "FamilyResult", "shared_misspellings",
           "family_findings", "misspelling_findings", "SAME_TEXT", "NEAR_DUPLICATE", "SHARED_MISSPELLING"]
