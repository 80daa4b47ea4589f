"""factory-boy factories, one per model."""

import factory
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct-horse-battery-staple")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Level"
        django_get_or_create = ("slug",)

    slug = "senior"
    name = factory.LazyAttribute(lambda o: o.slug.title())
    order = 2


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Theme"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: 100 + n)


class KindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Kind"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kind-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.capitalize())
    order = factory.Sequence(lambda n: 100 + n)


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Principle"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"principle-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    order = factory.Sequence(lambda n: 100 + n)
    demonstrate = "Something worth showing"
    guidance = "What interviewers listen for."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Question"
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Tell me about a time number {n} you handled a migration.")
    level = factory.SubFactory(LevelFactory)

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
