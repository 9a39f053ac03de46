from django.urls import path

from .views import bench_bare

urlpatterns = [path("bench/bare", bench_bare, name="bench-bare")]
