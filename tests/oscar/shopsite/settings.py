"""Settings of the throwaway Oscar shop: stock Oscar 4.2, only configuration.

Everything the site writes lives under OSCAR_SITE_DIR (a temp folder chosen by the caller).
"""

import os
from pathlib import Path

from oscar.defaults import *  # noqa: F403 - Oscar's documented way to get its default settings

SITE_DIR = Path(os.environ["OSCAR_SITE_DIR"]).resolve()

# A throwaway loopback test site: a fixed, obviously non-secret key is fine.
SECRET_KEY = "b2cect-oscar-test-site-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "oscar.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    # Third-party apps Oscar depends on.
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
]
SITE_ID = 1

# The "choices" variant (OSCAR_VARIANT=choices) swaps in forks of the shipping and checkout apps
# (shopsite/choices/): two priced shipping methods and a payment-method step. The database is
# the same (the forks keep Oscar's models and migrations), so a built site serves either way.
VARIANT = os.environ.get("OSCAR_VARIANT", "")
if VARIANT == "choices":
    FORKS = {
        "oscar.apps.shipping.apps.ShippingConfig": "shopsite.choices.shipping.apps.ShippingConfig",
        "oscar.apps.checkout.apps.CheckoutConfig": "shopsite.choices.checkout.apps.CheckoutConfig",
    }
    INSTALLED_APPS = [FORKS.get(app, app) for app in INSTALLED_APPS]
    MIGRATION_MODULES = {"shipping": "oscar.apps.shipping.migrations"}
elif VARIANT:
    raise ValueError(f"unknown OSCAR_VARIANT {VARIANT!r}")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files with DEBUG off.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

ROOT_URLCONF = "shopsite.urls"
WSGI_APPLICATION = "shopsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The variant's templates come first: they override stock Oscar's of the same name.
        "DIRS": [str(Path(__file__).parent / "choices" / "checkout" / "templates")]
        if VARIANT == "choices"
        else [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(SITE_DIR / "db.sqlite3"),
        # waitress serves from several threads; wait for the write lock instead of failing.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(SITE_DIR / "whoosh_index"),
        "INCLUDE_SPELLING": True,
    },
}

# English is the default language without a URL prefix; Simplified Chinese lives under
# /zh-hans/ (see urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = str(SITE_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(SITE_DIR / "media")

# Outgoing mail (registration, password reset) is written to files for inspection.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(SITE_DIR / "mail")

OSCAR_SHOP_NAME = "Oscar Test Shop"
OSCAR_SHOP_TAGLINE = "b2cect test storefront"
OSCAR_DEFAULT_CURRENCY = "CNY"
OSCAR_FROM_EMAIL = "shop@example.com"

OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Shipped", "Cancelled"),
    "Shipped": ("Complete",),
    "Complete": (),
    "Cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "file": {"class": "logging.FileHandler", "filename": str(SITE_DIR / "django.log")},
    },
    "root": {"handlers": ["file"], "level": "WARNING"},
}
