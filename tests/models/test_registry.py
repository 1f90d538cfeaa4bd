"""Model versions: a card per version, `latest`, and no loading of altered or unsafe files."""

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from ledger.frame import Ledger
from models.estimator import RiskModel
from models.registry import (
    CARD_FILE,
    MODEL_FILE,
    ModelLoadError,
    list_versions,
    load_model,
    read_card,
    save_model,
)
from models.rows import LabelledRows
from models.training import train_model
from tests.models.factories import habit_book


class Smuggled:
    """Stands in for an object someone slipped into a model file."""


@cache
def _model() -> RiskModel:
    return train_model(Ledger.from_invoices(habit_book(customers=30)))


def _save(home: Path, when: str) -> Path:
    model = _model()
    model.card = {key: value for key, value in model.card.items() if key != "version"}
    return save_model(model, home, now=datetime.fromisoformat(when).replace(tzinfo=UTC))


def test_a_saved_model_loads_with_its_card_and_same_scores(tmp_path: Path) -> None:
    path = _save(tmp_path, "2026-01-05T10:00:00")
    loaded = load_model(tmp_path)
    card = read_card(tmp_path)
    assert path.name == card["version"]
    assert card["version"].startswith("20260105T100000Z-")
    for key in ("training_window", "rows", "features", "metrics", "evaluation", "created_at", "sha256"):
        assert key in card
    assert card["library_versions"]["scikit-learn"]
    rows = LabelledRows.of(Ledger.from_invoices(habit_book(customers=30)))
    matrix = _model().matrix(rows.features)
    np.testing.assert_allclose(loaded.p_late(matrix), _model().p_late(matrix))
    np.testing.assert_allclose(loaded.days_late(matrix), _model().days_late(matrix))
    assert loaded.version == card["version"]


def test_latest_is_the_newest_version(tmp_path: Path) -> None:
    _save(tmp_path, "2026-01-05T10:00:00")
    newest = _save(tmp_path, "2026-02-01T08:30:00")
    assert list_versions(tmp_path)[-1] == newest.name
    assert load_model(tmp_path).version == newest.name


def test_an_altered_model_file_is_refused(tmp_path: Path) -> None:
    path = _save(tmp_path, "2026-01-05T10:00:00")
    (path / MODEL_FILE).write_bytes((path / MODEL_FILE).read_bytes() + b"\0")
    with pytest.raises(ModelLoadError, match="SHA-256 does not match"):
        load_model(tmp_path)


def test_a_file_holding_untrusted_types_is_refused_even_with_a_matching_hash(
    tmp_path: Path,
) -> None:
    path = _save(tmp_path, "2026-01-05T10:00:00")
    payload = sio.dumps({"classifier": _model().classifier, "regressor": Smuggled()})
    (path / MODEL_FILE).write_bytes(payload)
    card = json.loads((path / CARD_FILE).read_text())
    card["sha256"] = hashlib.sha256(payload).hexdigest()
    (path / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match="untrusted types"):
        load_model(tmp_path)


def test_no_model_yet_says_how_to_train_one(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="nudge model train"):
        load_model(tmp_path)


def test_a_book_whose_past_is_one_sided_still_trains_and_says_why(tmp_path: Path) -> None:
    book = habit_book(customers=6, per_customer=12)
    early = book["issue_date"] < book["issue_date"].quantile(0.8)
    book.loc[early, "paid_date"] = book.loc[early, "due_date"]  # everyone paid on time, then not
    model = train_model(Ledger.from_invoices(book))
    assert model.card["metrics"] is None
    assert "on-time and late" in model.card["evaluation"]["skipped"]
    assert (save_model(model, tmp_path) / CARD_FILE).is_file()
