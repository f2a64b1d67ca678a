"""Scoring one message with a trained multinomial logistic regression, without scipy matrix assembly.

Rasa's ``LogisticRegressionClassifier.process`` builds a (1, n_features) sparse
row for every message (deep copies of the features, ``hstack``/``vstack``) and
``predict_proba`` then multiplies it by the transposed coefficient matrix,
which numpy copies on every call. For one message that costs ~4.5 ms of
GIL-held CPU per turn here, more than the rest of the classifier's work
together. The same product is a sum over the message's few non-zero counts plus
one (384 x n_classes) dense product, once the weights are laid out row-major.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse


@dataclass(frozen=True)
class LinearScorer:
    weights: np.ndarray  # (n_features, n_classes), row-major
    intercept: np.ndarray  # (n_classes,)

    @classmethod
    def from_sklearn(cls, clf: object) -> LinearScorer | None:
        """The scorer for a fitted multinomial ``LogisticRegression``; None for anything else."""
        coef = getattr(clf, "coef_", None)
        classes = getattr(clf, "classes_", None)
        if coef is None or classes is None or len(classes) < 3 or coef.shape[0] != len(classes):
            return None  # binary or one-vs-rest models: leave them to sklearn
        if getattr(clf, "multi_class", "auto") not in ("auto", "multinomial"):
            return None
        if getattr(clf, "solver", "") == "liblinear":  # always one-vs-rest
            return None
        return cls(np.ascontiguousarray(coef.T, dtype=np.float64), np.asarray(clf.intercept_, dtype=np.float64))

    @property
    def n_features(self) -> int:
        return int(self.weights.shape[0])

    def probabilities(self, blocks: Sequence[object]) -> np.ndarray | None:
        """Class probabilities for one message given its feature blocks, in training order.

        Each block is a (1, width) sparse matrix or dense array. None when the
        widths do not add up to the model's (the caller falls back to sklearn).
        """
        if sum(int(b.shape[-1]) for b in blocks) != self.n_features:
            return None
        scores = self.intercept.copy()
        offset = 0
        for block in blocks:
            width = int(block.shape[-1])
            if scipy.sparse.issparse(block):
                row = block.tocoo()
                if row.nnz:
                    scores += row.data.astype(np.float64) @ self.weights[offset + row.col]
            else:
                scores += np.asarray(block, dtype=np.float64).reshape(-1) @ self.weights[offset:offset + width]
            offset += width
        scores -= scores.max()
        np.exp(scores, out=scores)
        return scores / scores.sum()
