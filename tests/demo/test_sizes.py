from apps.demo import catalogue
from apps.products import rules


def test_the_demo_catalogue_uses_the_shops_usual_sizes():
    """The admin suggests these sizes for a new product; demo products come in them."""
    for slug, sizes in catalogue.SIZES.items():
        assert tuple(sizes) == rules.default_sizes(slug), slug
