"""The domain: what every stage and the warehouse share, free of persistence and I/O.

- records.py: the vocabulary (metrics, scopes, qualifiers, themes), the parser version and
  the records stages hand on (Article, Figure, Extraction, Candidate, Match, NrmRow...);
- forces.py: the UK police forces and how a force's name, as written, is matched;
- urls.py: one page, one identity (canonical URL, tracking parameters, each profile's
  URL rule).

Nothing here imports db/, the stages (tasks/), the flows or Prefect (tests/test_layers.py).
"""
