"""Stolen photos: PDQ and low-frequency hashes of each image's views, a Hamming index, alignment of
candidate pairs, and the detectors `same_photo` and `gallery_match`. See docs/photos.md."""

from .align import Alignment, align
from .decode import Decoded, decode
from .detect import gallery_match, same_photo
from .hashing import DIHEDRAL, HASHER, LOW_VIEWS
from .index import HammingIndex
from .match import MATCH_SCHEMA, Hashed, find_matches, hash_image

__all__ = ["Alignment", "align", "Decoded", "decode", "gallery_match", "same_photo", "DIHEDRAL", "HASHER",
           "LOW_VIEWS", "HammingIndex", "MATCH_SCHEMA", "Hashed", "find_matches", "hash_image"]
