from typing import Literal

ListProjectJobsKindType0 = Literal[
    "import_pool", "predict", "score_round", "simulate", "train", "validate_checkpoint"
]

LIST_PROJECT_JOBS_KIND_TYPE_0_VALUES: set[ListProjectJobsKindType0] = {
    "import_pool",
    "predict",
    "score_round",
    "simulate",
    "train",
    "validate_checkpoint",
}


def check_list_project_jobs_kind_type_0(value: str) -> ListProjectJobsKindType0:
    if value in LIST_PROJECT_JOBS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_PROJECT_JOBS_KIND_TYPE_0_VALUES!r}"
    )
