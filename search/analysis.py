"""Analyze Chinese text for Whoosh: jieba words for scoring, character n-grams for exact substring recall.

Two fields index the same text:

* a **words** field (:func:`ChineseAnalyzer`): jieba words, the gazetteer names kept whole by the
  user dictionary, with the dictionary words inside a long word (越城 and 城区 in 越城区) stacked
  at the long word's position the way search mode adds them.  Positions count words, so a phrase
  of words matches words that are next to each other.
* an **n-gram** field (:func:`NgramAnalyzer`): for each run of letters/digits (CJK or not), every
  character as a unigram and every pair of neighbouring characters as a bigram, both at the
  position equal to the first character's offset.  Bigram ``text[p:p+2]`` at position p and bigram
  ``text[p+1:p+3]`` at p+1 share the character p+1, so a phrase of a query's overlapping bigrams
  matches exactly where the query occurs as a substring (:func:`search.substring.segment_docs`).  Runs never
  cross punctuation or whitespace, which are separators on both sides.

Both fields fold full-width ASCII to half-width and lower-case, keeping offsets unchanged.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator

from whoosh.analysis import Token, Tokenizer

from search.userdict import gazetteer_names, user_dict_words

# jieba (pure Python) or rjieba (Rust port, same dictionary): see bench/analysis.py for the choice.
DEFAULT_BACKEND = "rjieba"

# A run of characters that make up words: letters (every script, so CJK too) and digits.
_RUN = re.compile(r"[^\W_]+")
# Longer "words" are URLs or base64 blobs; the n-gram field still finds them as substrings.
MAX_WORD_LENGTH = 64

# Full-width ASCII (！ … ～) to half-width, the ideographic space to a space, and lone surrogates
# (which rjieba cannot encode) to U+FFFD: one character for one, so offsets still point into the text.
_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20} | dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)


def fold(text: str) -> str:
    """Return ``text`` with full-width ASCII half-width, letters lower-cased, lone surrogates replaced; same length."""
    folded = text.translate(_WIDTH)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    # A few letters lower-case to two characters (İ → i̇); leave those alone so offsets stay aligned.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)


class Segmenter:
    """Cut text into words with jieba or rjieba and a user dictionary; ``words`` gives char offsets."""

    def __init__(self, backend: str = DEFAULT_BACKEND, user_words: Iterable[str] = ()) -> None:
        self.backend = backend
        if backend == "rjieba":
            import rjieba

            self._rj = rjieba.Jieba()
            for word in user_words:
                # No frequency: rjieba suggests the smallest one that keeps the word whole, like jieba.
                self._rj.add_word(word, None, None)
            self.is_word = self._rj.has_word
        elif backend == "jieba":
            import jieba

            jieba.setLogLevel(logging.WARNING)  # "Building prefix dict…" on every start is noise
            self._jb = jieba.Tokenizer()  # our own instance: the global jieba.dt stays untouched
            self._jb.initialize()
            for word in user_words:
                self._jb.add_word(word)
            freq = self._jb.FREQ
            # jieba stores every prefix with frequency 0; only a positive one is a word.
            self.is_word = lambda word: bool(freq.get(word))
        else:
            raise ValueError(f"unknown segmenter backend {backend!r}")

    def words(self, text: str) -> list[tuple[str, int, int]]:
        """Return ``(word, start, end)`` for the default-mode cut of ``text``."""
        if self.backend == "rjieba":
            return self._rj.tokenize(text, "default", True)
        return list(self._jb.tokenize(text, mode="default", HMM=True))


_segmenter: Segmenter | None = None
_segmenter_lock = threading.Lock()


def get_segmenter() -> Segmenter:
    """Return the shared segmenter, loading it with every gazetteer name on first use."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                _segmenter = Segmenter(DEFAULT_BACKEND, user_dict_words(gazetteer_names()))
    return _segmenter


def set_segmenter(segmenter: Segmenter | None) -> None:
    """Use ``segmenter`` from now on (None: load the default again on next use), e.g. in benchmarks."""
    global _segmenter
    _segmenter = segmenter


def _single(token: Token, value: str, positions: bool, chars: bool, start_pos: int, start_char: int) -> Token:
    """Fill ``token`` with the whole value, for Whoosh's ``tokenize=False`` calls."""
    token.original = token.text = value
    token.boost = 1.0
    if positions:
        token.pos = start_pos
    if chars:
        token.startchar = start_char
        token.endchar = start_char + len(value)
    return token


class _TextTokenizer(Tokenizer):
    """Whoosh's tokenizer call on top of ``spans``, which subclasses define.

    ``spans(value, query)`` yields ``(text, position, start, end)`` with the position counted from
    0 and character offsets into ``value``. The same spans feed Whoosh's token stream (queries,
    highlighting, the stock writer) and :meth:`term_positions` (the bulk writer).
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _single(token, value, positions, chars, start_pos, start_char)
            return
        token.boost = 1.0
        token.stopped = False
        for text, pos, start, end in self.spans(value, mode == "query"):
            token.text = text
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def spans(self, value: str, query: bool) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Index-time terms of ``value`` with their positions, ascending: the tokens, grouped by term."""
        out: dict[str, list[int]] = {}
        for text, pos, _start, _end in self.spans(value, False):
            found = out.get(text)
            if found is None:
                out[text] = [pos]
            else:
                found.append(pos)
        return out


class ChineseTokenizer(_TextTokenizer):
    """Yield jieba words (plus dictionary words inside long words at index time), folded."""

    def spans(self, value: str, query: bool) -> Iterator[tuple[str, int, int, int]]:
        segmenter = get_segmenter()
        is_word = segmenter.is_word
        pos = 0
        for word, start, end in segmenter.words(fold(value)):
            if len(word) > MAX_WORD_LENGTH or not _RUN.search(word):
                continue  # punctuation and whitespace are not words
            yield word, pos, start, end
            # Search-mode sub-words only on the index side: a query for 越城区 should not also ask for 城区.
            if not query and len(word) > 2:
                # What jieba's cut_for_search adds: the 2- and 3-character dictionary words inside.
                seen = {word}
                for size in (2, 3) if len(word) > 3 else (2,):
                    for i in range(len(word) - size + 1):
                        part = word[i : i + size]
                        # A repeated part (哈哈 in 哈哈哈哈) once is enough: it sits at one position anyway.
                        if part not in seen and is_word(part):
                            seen.add(part)
                            # Parts share the long word's position, like synonyms.
                            yield part, pos, start + i, start + i + size
            pos += 1


class NgramTokenizer(_TextTokenizer):
    """Yield character unigrams and bigrams of each letter/digit run, at position = character offset.

    At query time a run gives only its bigrams (or its one character), the terms
    :func:`search.substring.segment_docs` looks up.
    """

    def spans(self, value: str, query: bool) -> Iterator[tuple[str, int, int, int]]:
        for match in _RUN.finditer(fold(value)):
            run, base = match.group(), match.start()
            last = len(run) - 1
            unigrams = not query or not last
            for i in range(len(run)):
                offset = base + i
                # The run's last character starts no bigram; at query time a run of 2+ needs no unigrams.
                if unigrams:
                    yield run[i], offset, offset, offset + 1
                if i < last:
                    yield run[i : i + 2], offset, offset, offset + 2

    def term_positions(self, value: str) -> dict[str, list[int]]:
        # The index-time spans, without a generator: this runs for every character of every article.
        out: dict[str, list[int]] = {}
        get = out.get
        for match in _RUN.finditer(fold(value)):
            run, base = match.group(), match.start()
            for i, gram in enumerate(run, base):
                found = get(gram)
                if found is None:
                    out[gram] = [i]
                else:
                    found.append(i)
            for i in range(len(run) - 1):
                gram = run[i : i + 2]
                found = get(gram)
                if found is None:
                    out[gram] = [base + i]
                else:
                    found.append(base + i)
        return out


def ChineseAnalyzer() -> ChineseTokenizer:  # noqa: N802 - named like Whoosh's analyzer factories
    """Return the analyzer for the words field (jieba words, for scoring)."""
    return ChineseTokenizer()


def NgramAnalyzer() -> NgramTokenizer:  # noqa: N802 - named like Whoosh's analyzer factories
    """Return the analyzer for the n-gram field (character unigrams and bigrams, for recall)."""
    return NgramTokenizer()


def letter_runs(text: str) -> list[str]:
    """The folded letter/digit runs of ``text``, in order, repeats kept."""
    return _RUN.findall(fold(text))


def chunks(text: str) -> list[str]:
    """The folded letter/digit runs of ``text``, without repeats: what a substring query asks for."""
    return list(dict.fromkeys(_RUN.findall(fold(text))))
