import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Store, User

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    name = factory.Faker("name")
    role = User.Role.SHOPPER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store

    owner = factory.SubFactory(UserFactory, role=User.Role.SELLER)
    name = factory.Sequence(lambda n: f"Studio {n}")
    description = factory.Faker("sentence")
