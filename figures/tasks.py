from celery import shared_task


@shared_task
def archive_last_month_figures() -> int:
    """Keep last month's figures for every département (beat runs it on the 1st)."""
    from .periods import Period
    from .services import month_archive

    computed, _kept = month_archive(Period.last_closed_month().first)
    return computed
