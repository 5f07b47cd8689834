"""Reading ``/metrics`` as Prometheus does: the text parsed with prometheus_client's parser."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of a scrape, by name and labels."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when there are none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


class Meter:
    """What a scrape says has changed since the meter was made."""

    def __init__(self, before: Samples) -> None:
        self.before = before
        self.after: Samples = before

    def read(self, text: str) -> Meter:
        self.after = parse(text)
        return self

    def rise(self, name: str, **labels: Any) -> float:
        return total(self.after, name, **labels) - total(self.before, name, **labels)
