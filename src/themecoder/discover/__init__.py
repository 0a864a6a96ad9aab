"""Finding new themes: the topics of the answers no theme covers, and adopting one as a theme.

Codebooks are never complete: every year some answers talk about something the codebook has
no theme for. Discovery gathers, per respondent group, the answers without a theme, leaves
out true non-answers, groups the rest by topic with a density-based method that leaves
stray answers out as noise, names each group by the phrases that set it apart, and lets a
person adopt one as a new theme.

- :mod:`~themecoder.discover.pool`: which answers take part, and the account of the pool.
- :mod:`~themecoder.discover.clustering`: vectors, HDBSCAN, merging, membership.
- :mod:`~themecoder.discover.naming`: phrases, class-based TF-IDF, names, survey-about-itself.
- :mod:`~themecoder.discover.candidates`: :func:`run_discovery` and its outputs.
- :mod:`~themecoder.discover.adoption`: :func:`adopt` a candidate as a theme.

Nothing heavy is imported until a function runs.
"""

from __future__ import annotations

from themecoder.discover.adoption import (
    CODE_CHOICES,
    Adoption,
    adopt,
    adopt_candidate,
    theme_id_for,
)
from themecoder.discover.candidates import (
    MEMBER_COLUMNS,
    METHODS,
    MIN_SIZE,
    Candidate,
    Discovery,
    candidates_markdown,
    discover_candidates,
    run_discovery,
    topics_in,
    write_members_csv,
)
from themecoder.discover.naming import propose_name
from themecoder.discover.pool import PoolAccount, discovery_pool, is_non_answer

__all__ = ["CODE_CHOICES", "MEMBER_COLUMNS", "METHODS", "MIN_SIZE", "Adoption", "Candidate",
           "Discovery", "PoolAccount", "adopt", "adopt_candidate", "candidates_markdown",
           "discover_candidates", "discovery_pool", "is_non_answer", "propose_name",
           "run_discovery", "theme_id_for", "topics_in", "write_members_csv"]
