"""monitor: watch Chinese social media for privacy storms around app launches."""

from __future__ import annotations

__version__ = "0.1.0"
