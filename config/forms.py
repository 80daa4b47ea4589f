"""Site-wide forms: the ones about the account itself, which spans every app."""

from django import forms


class AccountDeleteForm(forms.Form):
    """The password that confirms deleting the account.

    Whether it is the right one, and how many wrong ones are allowed, is
    `config.accounts.account_delete_refusal`, which the view calls once the
    field is valid.
    """

    password = forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
