"""Accounts: through django-allauth (sign up, log in by email, errors), and finding and
deleting one (config/accounts.py, its page in config/views.py)."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.accounts import account_by_email, account_delete, account_delete_refusal
from practice.models import LoopExclusion, LoopPin
from stories.models import Story
from tests.conftest import PASSWORD
from tests.factories import LoopFactory, PrincipleFactory, RecordingFactory
from tests.stories.test_transfer_services import make_bank

pytestmark = pytest.mark.django_db


def sign_up(client, email, password=PASSWORD, password2=None):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password2 or password},
    )


def test_sign_up_creates_account_and_signs_in(client):
    response = sign_up(client, "ada@example.com")
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="ada@example.com").exists()
    assert client.get(reverse("stories:bank")).status_code == 200


def test_duplicate_sign_up_email_is_refused_with_clear_message(client, user):
    response = sign_up(client, user.email.upper())
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert get_user_model().objects.filter(email__iexact=user.email).count() == 1


def test_sign_up_shows_field_errors(client):
    response = sign_up(client, "not-an-email", password="short", password2="other")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert not get_user_model().objects.exists()


def test_log_in_by_email(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:bank")


def test_wrong_password_is_refused(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_sends_email(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to


def test_account_pages_use_site_layout(client):
    body = client.get(reverse("account_login")).content.decode()
    assert "navbar" in body
    assert "bootstrap-5.3.9.min.css" in body


def test_log_out_ends_session(user_client):
    response = user_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert user_client.get(reverse("stories:bank")).status_code == 302


def test_malformed_login_post_is_not_a_500(client):
    response = client.post(reverse("account_login"), {"login": ["a", "b"], "password": "\x00"})
    assert response.status_code in (200, 400)


def test_two_factor_page_available(user_client):
    assert user_client.get(reverse("mfa_index")).status_code == 200


def test_confirming_it_is_you_by_a_mailed_code(user_client, user):
    """allauth 65.22's reauthentication by code: a wrong code is refused, the mailed one
    opens the page that asked for it (here: setting up two-factor)."""
    import re

    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    protected = reverse("mfa_activate_totp")
    asked = user_client.get(protected)
    assert asked.status_code == 302 and asked["Location"].startswith(
        reverse("account_reauthenticate")
    )
    request_url = f"{reverse('account_request_reauthentication_code')}?next={protected}"
    page = user_client.get(request_url)
    assert page.status_code == 200 and "navbar" in page.content.decode()
    response = user_client.post(request_url, {"recipient": user.email, "next": protected})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_reauthentication_code"))
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    confirm_url = response["Location"]
    wrong = user_client.post(confirm_url, {"code": "AAAA-AAAA", "next": protected})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert user_client.get(protected).status_code == 302, "still not confirmed"
    right = user_client.post(confirm_url, {"code": code, "next": protected})
    assert right.status_code == 302 and right["Location"] == protected
    assert user_client.get(protected).status_code == 200


# --- Finding and deleting an account (config/accounts.py) ---------------------------------


def test_an_account_is_found_by_its_email_in_any_case(user):
    assert account_by_email(user.email.upper()) == user
    assert account_by_email("nobody@example.com") is None


def user_foreign_keys() -> list[tuple]:
    """(model, field name) for every foreign key to the user model, in every app."""
    user_model = get_user_model()
    return [
        (model, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is user_model
    ]


def rows_of(user) -> dict[str, set]:
    """Primary keys of every row that belongs to `user`: directly, or one step away."""
    found: dict[str, set] = {}
    direct = user_foreign_keys()
    owned_models = {model for model, _ in direct}
    for model in apps.get_models(include_auto_created=True):
        lookups = [name for m, name in direct if m is model]
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in owned_models:
                lookups += [
                    f"{field.name}__{name}" for m, name in direct if m is field.related_model
                ]
        for lookup in lookups:
            pks = set(model._base_manager.filter(**{lookup: user.pk}).values_list("pk", flat=True))
            found.setdefault(model._meta.label, set()).update(pks)
    return found


def give_every_kind_of_row(user) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from stories.models import StoryDraft

    stories = make_bank(user, 2)
    Story.with_trash.filter(pk=stories[0].pk).update(deleted_at=timezone.now())
    StoryDraft.objects.create(owner=user, story=stories[1], base_version=1, data={"title": "Draft"})
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Story),
        object_id=str(stories[0].pk),
        object_repr="x",
        action_flag=ADDITION,
    )
    RecordingFactory(answer__session__owner=user, answer__story=stories[1])
    loop = LoopFactory(owner=user, interviewers=[list(stories[1].principles.all())])
    interviewer = loop.interviewers.get()
    LoopPin.objects.create(
        loop=loop, interviewer=interviewer, principle=PrincipleFactory(), story=stories[1]
    )
    LoopExclusion.objects.create(loop=loop, story=stories[0])
    user.groups.add(Group.objects.create(name=f"group of {user.username}"))
    user.user_permissions.add(Permission.objects.first())


def test_deleting_an_account_removes_every_row_of_that_user_in_every_app(user, other_user):
    give_every_kind_of_row(user)
    give_every_kind_of_row(other_user)
    mine, theirs = rows_of(user), rows_of(other_user)
    for model, field_name in user_foreign_keys():
        assert mine.get(model._meta.label), (
            f"{model._meta.label}.{field_name} points at the user: give the user a row of it "
            "in give_every_kind_of_row, so account deletion is checked for it."
        )

    account_delete(user=user)

    assert not get_user_model().objects.filter(email=user.email).exists()
    for label, pks in mine.items():
        model = apps.get_model(label)
        left = model._base_manager.filter(pk__in=pks).count()
        assert left == 0, f"{left} row(s) of {label} outlived their user"
    for label, pks in theirs.items():
        model = apps.get_model(label)
        assert model._base_manager.filter(pk__in=pks).count() == len(pks), label


def test_only_wrong_passwords_count_towards_the_limit_and_each_account_has_its_own(
    user, other_user
):
    for _ in range(4):
        assert "not your password" in account_delete_refusal(user=user, password="guess")
    assert account_delete_refusal(user=user, password=PASSWORD) is None
    assert "not your password" in account_delete_refusal(user=user, password="guess")
    assert "Too many" in account_delete_refusal(user=user, password=PASSWORD)
    assert account_delete_refusal(user=other_user, password=PASSWORD) is None


# --- The delete page (config/views.py) ----------------------------------------------------

ACCOUNT_DELETE = reverse("account_delete")


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_log_in_from_the_delete_page(client, method):
    response = getattr(client, method)(ACCOUNT_DELETE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_delete_page_refuses_the_wrong_method(user_client):
    assert user_client.put(ACCOUNT_DELETE).status_code == 405


def test_the_delete_page_offers_the_export_first(user_client, user):
    make_bank(user, 1)
    page = user_client.get(ACCOUNT_DELETE).content.decode()
    assert page.index(reverse("stories:transfer_export_json")) < page.index('type="password"')
    assert "your 1 story" in page


def test_a_wrong_password_deletes_nothing(user_client, user):
    make_bank(user, 1)
    page = user_client.post(ACCOUNT_DELETE, {"password": "not-it"}).content.decode()
    assert "That is not your password. Nothing was deleted." in page
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Story.objects.for_user(user).count() == 1


def test_deleting_the_account_logs_out_everywhere_and_removes_everything(user, other_user):
    make_bank(user, 2)
    make_bank(other_user, 1)
    laptop, phone = Client(), Client()
    assert laptop.login(username=user.username, password=PASSWORD)
    assert phone.login(username=user.username, password=PASSWORD)
    transfer = reverse("stories:transfer")
    assert phone.get(transfer).status_code == 200

    response = laptop.post(ACCOUNT_DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account and everything in it have been deleted." in response.content.decode()
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Story.with_trash.filter(owner_id=user.pk).exists()
    assert Story.objects.for_user(other_user).count() == 1

    for device in (laptop, phone):
        response = device.get(transfer)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_guessing_the_password_stops_after_five_tries(user_client, user):
    for _ in range(5):
        user_client.post(ACCOUNT_DELETE, {"password": "guess"})
    page = user_client.post(ACCOUNT_DELETE, {"password": PASSWORD}).content.decode()
    assert "Too many wrong passwords" in page
    assert get_user_model().objects.filter(pk=user.pk).exists()
