from django.db import models

from .fields import TSIDPrimaryKey


class BaseModel(models.Model):
    """TSID primary key plus creation and update times."""

    id = TSIDPrimaryKey()
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
