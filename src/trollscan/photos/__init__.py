"""Stolen photos: PDQ and low-frequency hashes of each image's views, a Hamming index, alignment of
candidate pairs, and the detectors `same_photo` and `gallery_match`. See docs/photos.md."""

from .align import Alignment, align
from .decode import Decoded, decode
from .detect import gallery_match, same_photo
from .hashing import COMPATIBLE, DIHEDRAL, HASHER, LOW_VIEWS
from .index import HammingIndex
from .candidates import find_candidates
from .match import (CHECK_SCHEMA, MATCH_SCHEMA, Hashed, check_settings, find_matches, hash_image, match_images,
                    pairs_decided)

__all__ = ["Alignment", "align", "Decoded", "decode", "gallery_match", "same_photo", "COMPATIBLE", "DIHEDRAL",
           "HASHER", "LOW_VIEWS", "HammingIndex", "CHECK_SCHEMA", "MATCH_SCHEMA", "Hashed", "check_settings",
           "find_candidates", "find_matches", "hash_image", "match_images", "pairs_decided"]
