"""Practice in the bank export: its history (`history`) and the recordings of its
answers (`recordings`), registered with the stories app's export by `register`
(called from PracticeConfig.ready()), so stories never imports practice."""

from practice.transfer.history import register

__all__ = ["register"]
