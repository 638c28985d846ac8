"""Contains all the data models used in inputs/outputs"""

from .api_key_out import ApiKeyOut
from .body_upload_checkpoint import BodyUploadCheckpoint
from .body_upload_pool import BodyUploadPool
from .body_upload_pool_domain import BodyUploadPoolDomain
from .body_upload_pool_split import BodyUploadPoolSplit
from .catalog_out import CatalogOut
from .catalog_out_extra import CatalogOutExtra
from .catalog_out_params_schema_type_0 import CatalogOutParamsSchemaType0
from .checkpoint_out import CheckpointOut
from .checkpoint_out_arch_args import CheckpointOutArchArgs
from .checkpoint_out_history_item import CheckpointOutHistoryItem
from .checkpoint_out_input_spec import CheckpointOutInputSpec
from .checkpoint_out_metrics import CheckpointOutMetrics
from .checkpoint_out_params import CheckpointOutParams
from .checkpoint_out_status import CheckpointOutStatus
from .checkpoint_upload_out import CheckpointUploadOut
from .class_probability import ClassProbability
from .curve_out import CurveOut
from .error_out import ErrorOut
from .health_out import HealthOut
from .item_out import ItemOut
from .item_page import ItemPage
from .item_prediction import ItemPrediction
from .job_out import JobOut
from .job_out_result_type_0 import JobOutResultType0
from .job_out_status import JobOutStatus
from .job_page import JobPage
from .label_entry import LabelEntry
from .label_free_out import LabelFreeOut
from .labels_in import LabelsIn
from .labels_out import LabelsOut
from .list_items_domain_type_0 import ListItemsDomainType0
from .list_items_split_type_0 import ListItemsSplitType0
from .list_project_jobs_kind_type_0 import ListProjectJobsKindType0
from .ls_health_response_ls_health import LsHealthResponseLsHealth
from .ls_predict_body import LsPredictBody
from .ls_predict_response_ls_predict import LsPredictResponseLsPredict
from .ls_setup_body import LsSetupBody
from .ls_setup_response_ls_setup import LsSetupResponseLsSetup
from .ls_train_body import LsTrainBody
from .ls_train_response_ls_train import LsTrainResponseLsTrain
from .ls_webhook_body import LsWebhookBody
from .ls_webhook_response_ls_webhook import LsWebhookResponseLsWebhook
from .metrics_out import MetricsOut
from .metrics_row import MetricsRow
from .metrics_row_metrics import MetricsRowMetrics
from .pool_out import PoolOut
from .pool_out_domain import PoolOutDomain
from .pool_out_split import PoolOutSplit
from .pool_upload_out import PoolUploadOut
from .predict_in import PredictIn
from .predict_out import PredictOut
from .prediction_out import PredictionOut
from .project_created_out import ProjectCreatedOut
from .project_in import ProjectIn
from .project_out import ProjectOut
from .query_batch_in import QueryBatchIn
from .query_batch_in_params import QueryBatchInParams
from .ready_out import ReadyOut
from .ready_out_status import ReadyOutStatus
from .round_metrics_row import RoundMetricsRow
from .round_out import RoundOut
from .round_out_choice_type_0 import RoundOutChoiceType0
from .round_out_params import RoundOutParams
from .round_out_status import RoundOutStatus
from .selection_out import SelectionOut
from .selection_out_components import SelectionOutComponents
from .simulate_in import SimulateIn
from .simulate_in_optimizer import SimulateInOptimizer
from .simulation_out import SimulationOut
from .simulation_result_out import SimulationResultOut
from .simulation_run_in import SimulationRunIn
from .simulation_run_in_objective_params import SimulationRunInObjectiveParams
from .simulation_run_in_params import SimulationRunInParams
from .simulation_run_out import SimulationRunOut
from .simulation_run_out_choices_item_item import SimulationRunOutChoicesItemItem
from .simulation_run_out_objective_params import SimulationRunOutObjectiveParams
from .simulation_run_out_params import SimulationRunOutParams
from .stop_advice_out import StopAdviceOut
from .stop_outcome_out import StopOutcomeOut
from .train_in import TrainIn
from .train_in_arch_args import TrainInArchArgs
from .train_in_optimizer import TrainInOptimizer
from .train_in_params import TrainInParams
from .train_out import TrainOut
from .upload_complete_in import UploadCompleteIn
from .upload_complete_in_domain import UploadCompleteInDomain
from .upload_complete_in_split import UploadCompleteInSplit
from .upload_out import UploadOut
from .upload_start_in import UploadStartIn

__all__ = (
    "ApiKeyOut",
    "BodyUploadCheckpoint",
    "BodyUploadPool",
    "BodyUploadPoolDomain",
    "BodyUploadPoolSplit",
    "CatalogOut",
    "CatalogOutExtra",
    "CatalogOutParamsSchemaType0",
    "CheckpointOut",
    "CheckpointOutArchArgs",
    "CheckpointOutHistoryItem",
    "CheckpointOutInputSpec",
    "CheckpointOutMetrics",
    "CheckpointOutParams",
    "CheckpointOutStatus",
    "CheckpointUploadOut",
    "ClassProbability",
    "CurveOut",
    "ErrorOut",
    "HealthOut",
    "ItemOut",
    "ItemPage",
    "ItemPrediction",
    "JobOut",
    "JobOutResultType0",
    "JobOutStatus",
    "JobPage",
    "LabelEntry",
    "LabelFreeOut",
    "LabelsIn",
    "LabelsOut",
    "ListItemsDomainType0",
    "ListItemsSplitType0",
    "ListProjectJobsKindType0",
    "LsHealthResponseLsHealth",
    "LsPredictBody",
    "LsPredictResponseLsPredict",
    "LsSetupBody",
    "LsSetupResponseLsSetup",
    "LsTrainBody",
    "LsTrainResponseLsTrain",
    "LsWebhookBody",
    "LsWebhookResponseLsWebhook",
    "MetricsOut",
    "MetricsRow",
    "MetricsRowMetrics",
    "PoolOut",
    "PoolOutDomain",
    "PoolOutSplit",
    "PoolUploadOut",
    "PredictIn",
    "PredictOut",
    "PredictionOut",
    "ProjectCreatedOut",
    "ProjectIn",
    "ProjectOut",
    "QueryBatchIn",
    "QueryBatchInParams",
    "ReadyOut",
    "ReadyOutStatus",
    "RoundMetricsRow",
    "RoundOut",
    "RoundOutChoiceType0",
    "RoundOutParams",
    "RoundOutStatus",
    "SelectionOut",
    "SelectionOutComponents",
    "SimulateIn",
    "SimulateInOptimizer",
    "SimulationOut",
    "SimulationResultOut",
    "SimulationRunIn",
    "SimulationRunInObjectiveParams",
    "SimulationRunInParams",
    "SimulationRunOut",
    "SimulationRunOutChoicesItemItem",
    "SimulationRunOutObjectiveParams",
    "SimulationRunOutParams",
    "StopAdviceOut",
    "StopOutcomeOut",
    "TrainIn",
    "TrainInArchArgs",
    "TrainInOptimizer",
    "TrainInParams",
    "TrainOut",
    "UploadCompleteIn",
    "UploadCompleteInDomain",
    "UploadCompleteInSplit",
    "UploadOut",
    "UploadStartIn",
)
