"""stanceclf: split English news articles into claims and label each as fact, attribution or opinion."""

from stanceclf.errors import InputError, ModelError, StanceclfError
from stanceclf.labels import LABELS
from stanceclf.results import Claim, Document, Prediction, Source, Span

__version__ = "0.1.0"
__all__ = ["ClaimClassifier", "Claim", "Document", "Prediction", "Source", "Span", "LABELS", "StanceclfError",
           "ModelError", "InputError", "claims_table", "to_pandas", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import stanceclf` and the result classes do not load torch.
    if name == "ClaimClassifier":
        from stanceclf.classifier import ClaimClassifier

        return ClaimClassifier
    if name in ("claims_table", "to_pandas"):  # tables need the [data] extra, so they load on first use
        from stanceclf import tables

        return getattr(tables, name)
    raise AttributeError(name)
