"""Amazon Forecast: dataset import, forecast export and predictor backtest export jobs.

The model gives the status member no enum; the words are the ones the API reference lists.
"""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["DATASET_IMPORT", "FORECAST_EXPORT", "PREDICTOR_BACKTEST_EXPORT", "SPECS"]

_STATUS = {
    "CREATE_PENDING": JobStatus.PENDING,
    "CREATE_IN_PROGRESS": JobStatus.RUNNING,
    "ACTIVE": JobStatus.SUCCEEDED,  # the job finished and its result is ready
    "CREATE_FAILED": JobStatus.FAILED,
    "CREATE_STOPPING": JobStatus.STOPPING,
    "CREATE_STOPPED": JobStatus.STOPPED,
    # The finished job is being deleted, or deleting it failed: it no longer runs.
    "DELETE_PENDING": JobStatus.STOPPED,
    "DELETE_IN_PROGRESS": JobStatus.STOPPED,
    "DELETE_FAILED": JobStatus.STOPPED,
}


def _jobs(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"forecast.{kind}",
        f"List{stem}Jobs",
        f"Amazon Forecast {kind.replace('-', ' ')} jobs",
        name_field=f"{stem}JobName",
        status_field="Status",
        status_map=_STATUS,
    )


DATASET_IMPORT = _jobs("dataset-import", "DatasetImport")
FORECAST_EXPORT = _jobs("forecast-export", "ForecastExport")
PREDICTOR_BACKTEST_EXPORT = _jobs("predictor-backtest-export", "PredictorBacktestExport")

SPECS = (DATASET_IMPORT, FORECAST_EXPORT, PREDICTOR_BACKTEST_EXPORT)
