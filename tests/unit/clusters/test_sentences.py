"""A group's sentence says in words what binds it, whatever layers bind it."""

import pytest

from trollscan.clusters import Group, group_evidence
from trollscan.coordination import LAYERS

# Layers the other scan steps put in the account graph (text families, photos, CooRTweet mode).
OTHER_LAYERS = ("same_text_family", "near_text_family", "shared_misspelling", "same_photo", "coortweet")


@pytest.mark.parametrize("layer", [*LAYERS, *OTHER_LAYERS])
def test_every_layer_is_said_in_words(layer: str) -> None:
    group = Group("vk", ["a", "b", "c"], 1.0, 0.5, [layer], None, None, 3)
    sentence = group_evidence([group], {}, items=[[]])["sentence"][0].as_py()
    assert layer not in sentence and "_" not in sentence.split(": they ")[1], sentence
