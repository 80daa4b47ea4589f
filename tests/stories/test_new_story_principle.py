"""A new story pre-tagged with a principle (`?principle=<slug>`): the link a loop's gap offers."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ticked_principles(body: str) -> set[str]:
    boxes = [tag for tag in re.findall(r"<input[^>]*>", body) if 'name="principles"' in tag]
    assert boxes, "the form shows the principles' checkboxes"
    return {re.search(r'value="([\w-]+)"', tag)[1] for tag in boxes if " checked" in tag}


def test_the_new_story_form_ticks_the_principle_asked_for_besides_the_templates_own(user_client):
    plain = user_client.get(reverse("stories:create", args=["mentorship"])).content.decode()
    asked = user_client.get(
        reverse("stories:create", args=["mentorship"]) + "?principle=frugality"
    ).content.decode()
    assert "frugality" not in ticked_principles(plain)
    assert ticked_principles(asked) == ticked_principles(plain) | {"frugality"}


def test_an_unknown_principle_is_ignored(user_client):
    url = reverse("stories:create", args=["plain-star"])
    response = user_client.get(url + "?principle=no-such-thing")
    assert response.status_code == 200
    assert ticked_principles(response.content.decode()) == ticked_principles(
        user_client.get(url).content.decode()
    )


def test_the_template_picker_carries_the_principle_to_every_template(user_client):
    body = user_client.get(reverse("stories:new") + "?principle=frugality").content.decode()
    assert "tagged <strong>Frugality</strong>" in body
    create = reverse("stories:create", args=["plain-star"])
    assert f'href="{create}?principle=frugality"' in body
    assert "?principle=" not in user_client.get(reverse("stories:new")).content.decode()
