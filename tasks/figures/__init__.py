"""Article text -> figures: the public entry point ``extract_figures``.

The steps, each in its own module of this package:

1. ``sentences`` splits the body into sentences with spans; the title is read as one more
   sentence whose evidence has no span.
2. ``numbers`` finds every number and its kind (only counts and money go on).
3. ``facts`` finds the lead agency, the name and the theme (``places`` names the countries,
   forces and agencies); ``scopes`` decides whether the headline operation is itself
   multi-country and gives each sentence a scope.
4. ``metric_rules`` maps each number to a metric from the words around it.
5. ``durations`` reads the length and dates; stated country and force counts come from the
   metric rules, and a listed set of countries or forces is counted when no number is stated.
6. ``choose`` picks one of the page's ``candidates`` per (scope, metric) for the operation and
   international scopes; force figures are kept one per subject; context figures are kept as
   found. ``confidence`` rates each chosen figure and withholds the least trustworthy.
7. ``breakdown`` splits the arrests by offence.

``page`` puts the steps together.
"""

from tasks.figures.page import extract_figures, headline_choices

__all__ = ["extract_figures", "headline_choices"]
