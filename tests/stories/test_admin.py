import pytest
from django.urls import reverse

from principles.models import Theme
from stories.models import Story, StoryTemplate
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    from django.test import Client

    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    return staff


def test_staff_edit_a_template_with_its_fields_inline(staff_client):
    template = StoryTemplate.objects.get(slug="technical-direction")
    response = staff_client.get(reverse("admin:stories_storytemplate_change", args=[template.pk]))
    assert response.status_code == 200
    assert template.fields.first().label in response.content.decode()


def test_retiring_a_template_hides_it_from_new_stories_but_keeps_stories(
    staff_client, user_client, user
):
    template = StoryTemplate.objects.get(slug="plain-star")
    story = StoryFactory(owner=user, template=template)
    staff_client.post(
        reverse("admin:stories_storytemplate_changelist"),
        {"action": "retire", "_selected_action": [template.pk]},
    )
    template.refresh_from_db()
    assert not template.is_active
    assert "Plain STAR" not in user_client.get(reverse("stories:new")).content.decode()
    assert user_client.get(story.get_absolute_url()).status_code == 200
    assert Story.objects.get(pk=story.pk).action == story.action


def test_users_stories_are_not_in_the_admin(staff_client):
    assert not any("stories/story/" in url for url in [reverse("admin:index")])
    response = staff_client.get("/admin/stories/story/")
    assert response.status_code == 404


def test_staff_see_and_filter_templates_by_their_core_theme(staff_client):
    mentorship = Theme.objects.get(slug="mentorship")
    StoryTemplate.objects.filter(slug="mentorship").update(core_theme=mentorship)
    url = reverse("admin:stories_storytemplate_changelist")
    body = staff_client.get(url, {"core_theme__id__exact": mentorship.pk}).content.decode()
    assert "Mentorship" in body and "Core theme" in body
    assert "Technical direction" in staff_client.get(url).content.decode()
    assert "Technical direction" not in body  # filtered out
    change = reverse(
        "admin:stories_storytemplate_change", args=[StoryTemplate.objects.get(slug="mentorship").pk]
    )
    assert 'name="core_theme"' in staff_client.get(change).content.decode()
