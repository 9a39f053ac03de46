import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Store, User
from apps.products.models import Category, Product, Variant
from apps.swipe.models import Look, LookProduct

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


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    store = factory.SubFactory(StoreFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Relaxed Cotton Tee {n}")
    description = "A relaxed tee in soft cotton."
    base_price = 39_000
    thumbnail = "demo/garments/tshirt-navy.jpg"


class VariantFactory(DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    size = factory.Iterator(["S", "M", "L", "XL"])
    stock = 10
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")


class LookFactory(DjangoModelFactory):
    class Meta:
        model = Look

    title = factory.Sequence(lambda n: f"Minimal Look {n}")
    cover = "demo/looks/cover.jpg"


class LookProductFactory(DjangoModelFactory):
    class Meta:
        model = LookProduct

    look = factory.SubFactory(LookFactory)
    product = factory.SubFactory(ProductFactory)


def product_in_colours(*, kind: str, colours: tuple[str, ...], size: str, stock: int, **fields):
    """A product that comes in several colours: one size row and one tagged photo per
    colour (the demo garment pictures), the first colour's photo as its thumbnail."""
    from apps.products.models import ProductImage

    product = ProductFactory(thumbnail=f"demo/garments/{kind}-{colours[0]}.jpg", **fields)
    for position, colour in enumerate(colours):
        ProductImage.objects.create(
            product=product,
            image=f"demo/garments/{kind}-{colour}.jpg",
            alt=f"{product.name} in {colour}",
            colour=colour,
            position=position,
        )
        VariantFactory(product=product, size=size, colour=colour, stock=stock, position=position)
    return product
