"""Which metric a number in a sentence counts: the noun after it, the verb around it.

For each count (or money) mention of a sentence, ``read_sentence`` looks at

1. the noun phrase right after the number ("38 people", "99 potential victims", "24 source,
   transit and destination countries", "56 knives and weapons"), classified by its head nouns
   (``nouns``);
2. the verb right before it ("arrested 105 foreign nationals", "detaining 21", "raided 27
   brothels", "the arrest of 219 persons") or, failing that, the first verb after the noun phrase
   in the same clause ("38 people suspected of ... have been arrested", "16 were arrested",
   "245 children kept from harm"), skipping over coordinated numbers ("72 children and 27 adults
   identified") (``verbs``, ``clauses``);
3. a list label ("Arrests: 1,468 people", "Cash: £1,254,384 taken") or a noun before a verb of
   totalling ("Arrests totalled 12") (``labels``, ``phrases``);

and maps (noun class, verb class) to a metric (``metrics``). Numbers that only restate part of
another ("21 of them children", "including 49 firearms", "the other 14", "a further 10") are
subsets: they are dropped, except children or adults within a victim count, which are the
``victims_children``/``victims_adults`` figures (``subsets``). Money is cash seized or nothing
(``money``); coordinated counts are read together (``partitions``). ``read`` puts the steps
together.
"""

from tasks.figures.metric_rules.labels import is_metric_label
from tasks.figures.metric_rules.read import read_sentence
from tasks.figures.metric_rules.reading import Reading

__all__ = ["Reading", "is_metric_label", "read_sentence"]
