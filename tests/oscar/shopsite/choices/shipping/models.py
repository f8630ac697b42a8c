# A forked Oscar app keeps the stock models (Oscar's documented way to fork an app).
from oscar.apps.shipping.models import *  # noqa: F403
