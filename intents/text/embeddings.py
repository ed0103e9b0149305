"""Static word embeddings: a text's meaning as the mean of its tokens' vectors.

The table and its tokenizer are WordLlama's (`wordllama` on PyPI, MIT licence): 256
dimensions per token of a 32,000-token vocabulary (16 MB of float16 in the wheel), distilled
from a large language model's input embeddings and shipped inside the wheel, so nothing is
downloaded. One text costs a tokenisation and the sum of a few rows, about 0.02 ms. What it
adds to the word matcher is kinship between different words ("commercialise" and "license",
"fee" and "cost"): see `intents.matching.semantic`.

The two files are read here and the pooling is ours (WordLlama's own `embed` takes the same
mean and normalises it): importing the `wordllama` package would configure the root logger
(its inference module calls `logging.basicConfig`) and go looking for files to download.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from importlib.util import find_spec
from itertools import accumulate, chain
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from numba import njit
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL: Final = "l2_supercat"
DIMENSIONS: Final = 256
MAX_TOKENS: Final = 512
"""Tokens of one text that are pooled: a 4,000-character message is about 1,000, and its
first 512 carry its question (`intents.text.segments` reads the rest)."""
WORDS_CACHED: Final = 32_768
"""Words whose token ids each embedder remembers: the knowledge base's few thousand and the
ones its users keep writing."""
LONGEST_WORD_CACHED: Final = 40
"""Longer "words" (a pasted URL, a key held down) are tokenised without being remembered, so
the cache's memory stays bounded whatever users send."""


class EmbeddingsError(RuntimeError):
    """The embedding table or its tokenizer could not be read (a broken installation)."""


@dataclass(frozen=True, slots=True)
class Embedder:
    """Unit vectors of texts: the mean of their tokens' rows of `table`, normalised."""

    tokenizer: Tokenizer
    table: npt.NDArray[np.float32]
    """One row per token id, read-only. Held in single precision (32 MB, twice the wheel's
    half precision): pooling half-precision rows cost 0.05 ms for a long message's tokens,
    against 0.015 ms, and it is paid on every message the bot matches."""
    _word_ids: Callable[[str], tuple[int, ...]] = field(init=False, repr=False, compare=False)
    """`_token_ids` of this embedder's tokenizer, cached (bounded: `WORDS_CACHED`)."""

    def __post_init__(self) -> None:
        read = partial(_token_ids, self.tokenizer)
        object.__setattr__(self, "_word_ids", lru_cache(maxsize=WORDS_CACHED)(read))

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit row per text; a row of zeros for a text with no token (empty)."""
        ids = [self.token_ids(text) for text in texts]
        # The sum: normalised below, it points where the mean does. All texts in one
        # compiled pass (a message's sentences are embedded together).
        out = pooled_rows(
            self.table,
            np.fromiter(chain.from_iterable(ids), dtype=np.int64),
            np.fromiter(accumulate(map(len, ids)), dtype=np.int64, count=len(ids)),
        )
        for row in out:
            # What `np.linalg.norm` computes for a vector: the square root of its dot with
            # itself, in single precision.
            norm = float(np.sqrt(row @ row))
            if norm > 0:
                row /= norm
        return out

    def token_ids(self, text: str) -> list[int]:
        """The first `MAX_TOKENS` token ids of `text`, read word by word. The tokenizer's
        pieces never span a space (it marks each word's start, and no piece of its vocabulary
        joins two words), so these are the ids of the whole text, runs of whitespace read as
        one space: checked identical on every example and labelled line (4,876 texts). Each
        word's ids are remembered, which halves the time of embedding a message (0.021 ->
        0.010 ms on the latency benchmark's queries): a tokenizer call costs about 10 µs
        however short the word."""
        ids: list[int] = []
        for word in text.split():
            ids += (
                self._word_ids(word)
                if len(word) <= LONGEST_WORD_CACHED
                else _token_ids(self.tokenizer, word)
            )
            if len(ids) >= MAX_TOKENS:
                return ids[:MAX_TOKENS]
        return ids


def _pooled_rows(
    table: npt.NDArray[np.float32], ids: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    out = np.zeros((ends.shape[0], table.shape[1]), dtype=np.float32)
    start = 0
    for text in range(ends.shape[0]):
        end = ends[text]
        pooled = out[text]
        for position in range(start, end):
            row = table[ids[position]]
            if position == start:
                pooled[:] = row  # the first row as is, as numpy's sum starts from it
            else:
                for dimension in range(row.shape[0]):
                    pooled[dimension] += row[dimension]
        start = end
    return out


# numba ships no annotations: the compiled function is typed here as the loop it compiles.
pooled_rows: Callable[
    [npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.int64]],
    npt.NDArray[np.float32],
] = njit(cache=True, nogil=True)(_pooled_rows)
"""Per text (its token `ids` end at `ends[text]`), the sum of its tokens' rows of `table`, row
after row in single precision as `np.take(table, text_ids, axis=0).sum(axis=0)` adds them (to
the last bit); zeros for a text without tokens. Compiled: one pass for all of a message's
sentences instead of three array calls each."""


def _token_ids(tokenizer: Tokenizer, word: str) -> tuple[int, ...]:
    return tuple(tokenizer.encode(word, add_special_tokens=False).ids)


def _package_dir() -> Path:
    spec = find_spec("wordllama")  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsError("the wordllama package is not installed: pip install wordllama")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def shipped_embedder() -> Embedder:
    """The embedder of the table in the installed `wordllama` wheel, read once per process
    (about 0.1 s and 32 MB)."""
    return load_embedder(_package_dir())


def load_embedder(package: Path) -> Embedder:
    """The embedder of WordLlama's files under `package` (its installed directory)."""
    weights = package / "weights" / f"{MODEL}_{DIMENSIONS}.safetensors"
    vocabulary = package / "tokenizers" / f"{MODEL}_tokenizer_config.json"
    try:
        table = load_file(str(weights))["embedding.weight"]
        tokenizer = Tokenizer.from_file(str(vocabulary))
    except Exception as error:  # safetensors and tokenizers raise types of their own
        raise EmbeddingsError(f"cannot read the word embeddings in {package}: {error}") from error
    tokenizer.no_truncation()
    tokenizer.no_padding()
    table = np.ascontiguousarray(table, dtype=np.float32)
    table.flags.writeable = False
    return Embedder(tokenizer, table)
