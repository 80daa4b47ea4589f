from django.contrib.admin.apps import AdminConfig


class StoryBankAdminConfig(AdminConfig):
    """The admin, with `config.admin.StoryBankAdminSite` as `admin.site`."""

    default_site = "config.admin.StoryBankAdminSite"
