"""Background work for practice (django-tasks; the database backend runs it in `db_worker`)."""

from django_tasks import task

from practice.models import Recording


@task()
def analyse_recording_task(recording_id: int) -> str:
    """Analyse a closed recording; a recording deleted meanwhile is simply skipped."""
    from practice.services import recording_analyse

    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    return recording_analyse(recording=recording).status
