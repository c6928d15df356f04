"""`analyze()`: one complaint in, one explained analysis out (contract.md).

Pure: no Django, no database, no network. Lexicons load once per process; every call is
independent, so the engine is safe to call from many threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from kesu.analysis import customer, demands, dimensions, emotion, entities, industry, rights, risk
from kesu.analysis.amounts import find_amounts
from kesu.analysis.doc import make_doc
from kesu.analysis.inputs import check_text
from kesu.analysis.models import TextModel
from kesu.analysis.summary import summarize
from kesu.analysis.types import Analysis, Complaint, Prediction

VERSION = "0.1.0"
ENGINE = f"kesu-analysis/{VERSION}"


def analyze(complaint: Complaint, models: Mapping[str, TextModel] | None = None) -> Analysis:
    """Analyse one complaint. `models` adds `predictions[name]` from trained classifiers."""
    check_text(complaint.text)
    predictions = {name: model.predict([complaint.text])[0] for name, model in (models or {}).items()}
    return _analyze_rules(complaint, predictions)


def analyze_many(
    complaints: Iterable[Complaint], models: Mapping[str, TextModel] | None = None, *, batch: int = 256
) -> Iterator[Analysis]:
    """Analyse a stream in order, running trained models a batch at a time (much faster)."""
    chunk: list[Complaint] = []
    for c in complaints:
        chunk.append(c)
        if len(chunk) >= batch:
            yield from _run_chunk(chunk, models)
            chunk = []
    if chunk:
        yield from _run_chunk(chunk, models)


def _run_chunk(chunk: list[Complaint], models: Mapping[str, TextModel] | None) -> Iterator[Analysis]:
    for c in chunk:
        check_text(c.text)  # every text of the chunk is checked before any result goes out
    if not models:
        for c in chunk:
            yield _analyze_rules(c, {})
        return
    texts = [c.text for c in chunk]
    per_model = {name: model.predict(texts) for name, model in models.items()}
    for i, c in enumerate(chunk):
        yield _analyze_rules(c, {name: preds[i] for name, preds in per_model.items()})


def _analyze_rules(complaint: Complaint, predictions: dict[str, Prediction]) -> Analysis:
    """The rule-based analysis of a checked text, with the trained models' predictions."""
    doc = make_doc(complaint)
    doc.industry, _industry_reasons = industry.detect_industry(doc)
    products = industry.detect_products(doc)
    amounts = find_amounts(doc)
    found_demands = demands.extract_demands(doc, amounts)
    found_entities = entities.extract_entities(doc, amounts, products)
    signals = risk.detect_signals(doc, found_demands)
    found_emotion = emotion.detect_emotion(doc)
    score, complaint_reasons = customer.complaint_score(doc, found_emotion, found_demands, signals)
    needs, needs_reasons = customer.detect_needs(doc, found_emotion, found_demands, signals)
    malicious = customer.detect_malicious(doc, found_demands, signals)
    customer_type = customer.classify_customer(doc, found_emotion, found_demands, signals, malicious)
    is_complaint = score >= 0.5
    if not is_complaint:
        # An enquiry that only names a hotline or a court (怎么举报？是打12321吗？) carries no risk;
        # a threat or something done still counts, whatever the rest of the text looks like.
        signals = [s for s in signals if s.status != "mention"]
    found_risk = risk.assess_risk(doc, signals, found_emotion, customer_type.label)
    dims = dimensions.extract_dimensions(doc, found_entities, found_emotion)
    return Analysis(
        id=complaint.id,
        engine=ENGINE,
        is_complaint=is_complaint,
        complaint_score=score,
        complaint_reasons=complaint_reasons,
        industry=doc.industry,
        customer_type=customer_type,
        emotion=found_emotion,
        needs=needs,
        needs_reasons=needs_reasons,
        demands=found_demands,
        risk=found_risk,
        rights=rights.detect_rights(doc),
        dimensions=dims,
        malicious=malicious,
        entities=found_entities,
        predictions=predictions,
        summary=summarize(
            is_complaint=is_complaint,
            product=products[0] if products else None,
            dimensions=dims,
            demands=found_demands,
            risk=found_risk,
        ),
    )
