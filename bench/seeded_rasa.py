"""``rasa`` run with Python's and numpy's global random state seeded, so cross-validation folds repeat.

Rasa 3.6's ``generate_folds`` builds ``StratifiedKFold(shuffle=True)`` without a
``random_state``, so the split draws from numpy's global state: unseeded, every
``make bench`` splits the data differently and reports a different macro-F1 for
the same data and pipeline. Seeding first makes
runs comparable, as the pipeline's own ``random_state`` already does for training.

    python -m bench.seeded_rasa SEED test nlu --cross-validation ...
"""

from __future__ import annotations

import random
import sys
from typing import List

import numpy as np

#: The seed ``make bench`` uses for the cross-validation folds.
CV_SEED = 0


def seed(value: int) -> None:
    random.seed(value)
    np.random.seed(value)


def main(argv: List[str]) -> None:
    if not argv or not argv[0].isdigit():
        sys.exit("usage: python -m bench.seeded_rasa SEED RASA-ARGUMENTS...")
    seed(int(argv[0]))
    sys.argv = ["rasa", *argv[1:]]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
