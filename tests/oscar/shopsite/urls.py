"""URLs: Oscar's stock URLs, English without prefix and Simplified Chinese under /zh-hans/."""

from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Product images and their thumbnails; Django serves media itself only with DEBUG on.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include(apps.get_app_config("oscar").urls[0])),
    prefix_default_language=False,
)
