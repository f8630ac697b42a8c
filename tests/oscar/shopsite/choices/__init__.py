"""The "choices" variant of the shop: forks of Oscar's `shipping` and `checkout` apps (Oscar's
app-forking mechanism) that offer two shipping methods and a payment-method step.

- shipping: Standard (¥10.00, 3-5 working days) and Express (¥25.00, next day), each listed by
  stock Oscar with its own "Select option" button;
- checkout: the payment-method step (a placeholder redirect in stock Oscar) becomes a form with
  radios "Bank transfer" / "Cash on delivery" and a "Continue" button; the choice is kept in the
  checkout session and shown on the preview page.
"""
