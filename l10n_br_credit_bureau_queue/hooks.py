from .const import FLOW_METHODS, LIVE_JOB_STATES


def uninstall_hook(env):
    """Back to the scheduled actions: the jobs not run yet are cancelled (their records are
    still in their states, "sending", "error" with a retry date, "removal requested", and
    the core's jobs send them, a record whose outcome is unknown asked for first), and the
    sending and removal jobs run at once."""
    jobs = (
        env["queue.job"]
        .sudo()
        .search(
            [
                ("model_name", "in", ("credit.bureau.negativation", "credit.bureau.integration")),
                ("method_name", "in", (*FLOW_METHODS.values(), "_bureau_job_poll_status")),
                ("state", "in", LIVE_JOB_STATES),
                ("state", "!=", "started"),
            ]
        )
    )
    jobs.button_cancelled()
    env.cr.execute("DROP TABLE IF EXISTS credit_bureau_queue_rate")
    for xmlid in (
        "l10n_br_credit_bureau.ir_cron_negativation_send",
        "l10n_br_credit_bureau.ir_cron_negativation_removal",
    ):
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron._trigger()
