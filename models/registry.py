"""Saved model versions under ``NUDGE_HOME/models/<version>/``, loaded without running code.

A version directory holds ``model.skops`` (the two fitted estimators, in skops' format,
which rebuilds objects from an allow-list instead of unpickling) and ``card.json`` (what
a person and the loader need: training window, rows, features, metrics, created_at,
library versions, the file's SHA-256). Loading refuses a file whose hash differs from
its card or that holds any type outside :data:`TRUSTED_TYPES`. The version name is the
UTC creation time plus the start of the hash, so names sort by age and ``latest`` is
the last one.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import skops
import skops.io as sio

from models.estimator import RiskModel
from models.survival import PayCurve

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
LATEST = "latest"
# What skops does not trust by default inside a fitted HistGradientBoosting model.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.utils.validation.check_array",
        "functools.partial",
    }
)


class ModelLoadError(ValueError):
    """A model version that is missing, altered, or holds types we do not trust."""


def models_dir(home: Path) -> Path:
    """Where versions live for a ``NUDGE_HOME``."""
    return home / "models"


def library_versions() -> dict[str, str]:
    """Versions that matter to reproduce or load a model."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def save_model(model: RiskModel, home: Path, *, now: datetime | None = None) -> Path:
    """Write a new version directory for ``model``; set its version in the card."""
    payload = sio.dumps({"classifier": model.classifier, "regressor": model.regressor})
    digest = hashlib.sha256(payload).hexdigest()
    created = (now or datetime.now(UTC)).astimezone(UTC)
    version = f"{created:%Y%m%dT%H%M%SZ}-{digest[:8]}"
    model.card.update(
        version=version,
        created_at=created.isoformat(timespec="seconds"),
        sha256=digest,
        library_versions=library_versions(),
        features=list(model.features),
        categories={name: list(values) for name, values in model.categories.items()},
        calibration=list(model.calibration),
        reference=model.reference,
        pay_curve=model.pay_curve.to_card(),
    )
    target = models_dir(home) / version
    target.mkdir(parents=True, exist_ok=False)
    (target / MODEL_FILE).write_bytes(payload)
    (target / CARD_FILE).write_text(json.dumps(model.card, indent=2, sort_keys=True) + "\n")
    return target


def list_versions(home: Path) -> list[str]:
    """Saved versions, oldest first."""
    root = models_dir(home)
    if not root.is_dir():
        return []
    return sorted(path.name for path in root.iterdir() if (path / CARD_FILE).is_file())


def read_card(home: Path, version: str = LATEST) -> dict[str, Any]:
    """The model card of a version (``latest`` by default)."""
    path = models_dir(home) / resolve_version(home, version) / CARD_FILE
    card: dict[str, Any] = json.loads(path.read_text())
    return card


def resolve_version(home: Path, version: str = LATEST) -> str:
    """Turn ``latest`` into the newest version name; check a named version exists."""
    versions = list_versions(home)
    if not versions:
        raise ModelLoadError(f"no trained model in {models_dir(home)}; run `nudge model train`")
    if version == LATEST:
        return versions[-1]
    if version not in versions:
        raise ModelLoadError(f"no model version {version!r}; known: {', '.join(versions)}")
    return version


def load_model(home: Path, version: str = LATEST) -> RiskModel:
    """Load a version after checking its hash and the types inside it."""
    card = read_card(home, version)
    path = models_dir(home) / card["version"] / MODEL_FILE
    payload = path.read_bytes()
    if hashlib.sha256(payload).hexdigest() != card["sha256"]:
        raise ModelLoadError(f"{path}: SHA-256 does not match its model card; refusing to load")
    untrusted = sio.get_untrusted_types(data=payload)
    if unexpected := sorted(set(untrusted) - TRUSTED_TYPES):
        raise ModelLoadError(f"{path}: holds untrusted types {', '.join(unexpected)}")
    estimators = sio.loads(payload, trusted=untrusted)
    slope, intercept = card["calibration"]
    return RiskModel(
        features=tuple(card["features"]),
        categories={name: tuple(values) for name, values in card["categories"].items()},
        classifier=estimators["classifier"],
        regressor=estimators["regressor"],
        calibration=(float(slope), float(intercept)),
        reference={name: float(value) for name, value in card["reference"].items()},
        card=card,
        pay_curve=PayCurve.from_card(card.get("pay_curve")),
    )
