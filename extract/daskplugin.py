"""The Dask worker plugin of batch ingest: a module of its own, because importing distributed
is slow and only ``claims ingest --dask`` needs it."""
from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class LoadPipelines(WorkerPlugin):
    """Load the spaCy pipelines once in every worker process as it joins the cluster."""

    name = "market-claims-pipelines"

    def __init__(self, ner_model: str | None = None):
        self.ner_model = ner_model

    def setup(self, worker=None):
        from .batchwork import warm_up

        warm_up(self.ner_model)
