from django import forms

from apps.core.fields import TSIDFormField

from .models import Swipe


class SwipeForm(forms.Form):
    reaction = forms.ChoiceField(
        choices=Swipe.Reaction.choices,
        error_messages={
            "required": "Choose like or nope.",
            "invalid_choice": "Choose like or nope.",
        },
    )
    # The card the shopper sees underneath: it becomes the next card.
    next = TSIDFormField(required=False)
    source = forms.ChoiceField(choices=(("feed", "feed"), ("liked", "liked")), required=False)


class UndoForm(forms.Form):
    swipe = TSIDFormField(required=False)
