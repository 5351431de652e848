"""The NLP stage: normalize, segment, tag concerns, match apps, score sentiment.

Only this package imports jieba (`segment.py`) and SnowNLP (`sentiment.py`), and only
when first used. Start with `make_analyzer(settings.watchlist, settings.nlp)`.
"""

from __future__ import annotations

from monitor.nlp.analyzer import Analyzer, make_analyzer

__all__ = ["Analyzer", "make_analyzer"]
