"""A payment-method step that must be answered: radios and a Continue button.

Stock Oscar's PaymentMethodView only redirects to the payment details page. Here the customer
chooses how to pay; the choice is stored in the checkout session (`pay_by`) and nothing else
happens until the order is placed on the preview page.
"""

from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition

PAYMENT_METHODS = (
    ("bank-transfer", _("Bank transfer")),
    ("cash-on-delivery", _("Cash on delivery")),
)


class PaymentMethodForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=PAYMENT_METHODS, widget=forms.RadioSelect
    )


class PaymentMethodView(views.PaymentMethodView):
    template_name = "oscar/checkout/payment_method.html"

    def get(self, request, *args, **kwargs):
        initial = {"payment_method": self.checkout_session.payment_method()}
        return self.render_to_response(self.get_context_data(form=PaymentMethodForm(initial)))

    def post(self, request, *args, **kwargs):
        form = PaymentMethodForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please choose a payment method"))
            return self.render_to_response(self.get_context_data(form=form))
        self.checkout_session.pay_by(form.cleaned_data["payment_method"])
        return self.get_success_response()


class PaymentDetailsView(views.PaymentDetailsView):
    """The preview says which payment method was chosen."""

    def get_pre_conditions(self, request):
        return [*super().get_pre_conditions(request), "check_payment_method_is_chosen"]

    def check_payment_method_is_chosen(self, request):
        if not self.checkout_session.payment_method():
            raise FailedPreCondition(
                url=reverse("checkout:payment-method"),
                message=_("Please choose a payment method"),
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = dict(PAYMENT_METHODS).get(self.checkout_session.payment_method() or "", "")
        context["payment_method_name"] = chosen
        return context
