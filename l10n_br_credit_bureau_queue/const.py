"""Constants of the job queue glue."""

# Context key of the environment our jobs run in: the flows make their calls there instead
# of handing them to jobs again, and commit like a scheduled action does.
JOB_CONTEXT = "bureau_queue_job"

# Switch back to the scheduled actions without uninstalling (ir.config_parameter, "0" or
# "False" turns the jobs off).
PARAM_ENABLED = "l10n_br_credit_bureau_queue.enabled"
# Records per inclusion or removal job (each job makes its calls one at a time).
PARAM_JOB_SIZE = "l10n_br_credit_bureau_queue.job_size"
DEFAULT_JOB_SIZE = 20

# The channel of the jobs: one subchannel per integration under it.
CHANNEL = "root.credit_bureau"

# The job methods of each flow (model credit.bureau.negativation).
FLOW_METHODS = {"include": "_bureau_job_include", "remove": "_bureau_job_remove"}
# States of a queue_job job that is not finished.
LIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")

# PostgreSQL advisory locks (two-key form), held by a job for its whole run on its own
# connection: on the records it works on, and on one of its integration's slots (as many
# slots as the integration's "Simultaneous requests"). A killed process's connection dies
# with it, and its locks with it.
LOCK_RECORD = 1128398849  # 0x43420001
LOCK_SLOT = 1128398850  # 0x43420002
SLOTS_PER_INTEGRATION = 100  # > MAX_CONCURRENCY of the core: slot key = id * 100 + slot
# A job whose integration has every slot taken tries again after this many seconds (the
# retry counter unchanged).
SLOT_RETRY_SECONDS = 2

# Today's backoff of a failed inclusion (core: RETRY_BASE_MINUTES * 2 ** (attempts - 1)),
# used by the job functions' retry pattern (retries → seconds).
RETRY_PATTERN = {1: 15 * 60, 2: 30 * 60, 3: 60 * 60, 4: 120 * 60}
STATUS_MAX_RETRIES = 4

# The ids of a queue_job job's records, in SQL (queue_job stores the recordset's JSON as a
# JSON string).
JOB_RECORD_IDS = (
    "(CASE jsonb_typeof(records) WHEN 'string' THEN (records #>> '{}')::jsonb "
    "ELSE records END -> 'ids')"
)
