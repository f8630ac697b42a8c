"""Two priced shipping methods; Oscar lists each with its own "Select option" button."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import FixedPrice


class Standard(FixedPrice):
    code = "standard"
    name = _("Standard delivery")
    description = _("Delivered in 3-5 working days")
    charge_excl_tax = Decimal("10.00")
    charge_incl_tax = Decimal("10.00")


class Express(FixedPrice):
    code = "express"
    name = _("Express delivery")
    description = _("Delivered the next working day, 1-2 days")
    charge_excl_tax = Decimal("25.00")
    charge_incl_tax = Decimal("25.00")
