"""The flattened trees give exactly scikit-learn's predictions, missing values included."""

from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from models.estimator import threads_for
from models.trees import CompiledTrees


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    with threads_for(0):  # OpenMP spin-waiting makes tiny fits slow on a busy machine
        yield


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 5))
    x[rng.random(x.shape) < 0.15] = np.nan
    y = (np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) > 0).astype(int)
    return x, y


def test_classifier_raw_scores_match_decision_function() -> None:
    x, y = _data()
    model = HistGradientBoostingClassifier(max_iter=40, max_depth=4, random_state=0).fit(x, y)
    compiled = CompiledTrees.from_estimator(model)
    np.testing.assert_allclose(compiled.raw(x[:50]), model.decision_function(x[:50]), rtol=1e-9)


def test_poisson_regressor_matches_predict() -> None:
    x, y = _data()
    target = y * 3.0 + np.abs(np.nan_to_num(x[:, 2]))
    model = HistGradientBoostingRegressor(loss="poisson", max_iter=30, random_state=0).fit(x, target)
    compiled = CompiledTrees.from_estimator(model)
    np.testing.assert_allclose(np.exp(compiled.raw(x[:50])), model.predict(x[:50]), rtol=1e-9)


def test_native_categorical_splits_are_refused() -> None:
    x, _y = _data()
    x[:, 4] = np.arange(len(x)) % 3
    model = HistGradientBoostingClassifier(max_iter=5, categorical_features=[4], random_state=0).fit(
        np.nan_to_num(x), (x[:, 4] == 1).astype(int)
    )
    with pytest.raises(ValueError, match="categorical"):
        CompiledTrees.from_estimator(model)
