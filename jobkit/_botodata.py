"""botocore's packaged data (service models, paginators, endpoints) through one loader.

Everything in jobkit that reads botocore's JSON data goes through ``shared_loader()``: the
adapters (paging keys, page-size bounds), the request checks and the sessions the drivers
create. botocore's loader caches what it parsed per instance, so one loader per
``AWS_DATA_PATH`` parses each file once per process. Reading packaged data is the only thing
done here: no network, no credentials.
"""

from __future__ import annotations

import functools
import os

from botocore.loaders import Loader, create_loader

__all__ = ["shared_loader"]


@functools.lru_cache(maxsize=4)
def _loader_for(data_path: str | None) -> Loader:
    return create_loader(data_path)


def shared_loader() -> Loader:
    """One botocore data loader per AWS_DATA_PATH, shared by everything jobkit reads.

    Parsing a service model (SageMaker's is megabytes of JSON) is most of the cost of a new
    client; a shared loader parses each model once per process.
    """
    return _loader_for(os.environ.get("AWS_DATA_PATH"))
