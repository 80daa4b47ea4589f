from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from practice import signals
        from practice.demo import demo_practice_history
        from practice.models import PracticeSettings
        from practice.transfer import register  # practice history joins the bank export
        from stories.demo import DEMO_EXTENSIONS
        from stories.targets import register_targets

        register()
        signals.connect()
        register_targets(PracticeSettings.targets_of)
        if demo_practice_history not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo_practice_history)
