"""allauth's account adapter, with the per-account login throttle keyed by address too."""

import ipaddress

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        """The key of the per-account part of ACCOUNT_RATE_LIMITS["login_failed"].

        allauth keys it by the email alone, so five wrong passwords from
        anywhere lock the owner out for five minutes: anyone who knows an
        address can keep its owner out. Keyed by email *and* client address,
        the failures lock out only the address that sent them; the per-IP
        part of the limit ("10/m/ip") still caps one address across accounts.

        allauth (65.x) uses this key both to count failures in pre_authenticate
        and to clear them after a password reset; tests/config/test_adapter.py
        fails if it stops being consulted.
        """
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{client_network(self.get_client_ip(request))}"


def client_network(ip: str) -> str:
    """The address as allauth's "ip" rates count it: an IPv6 client by its prefix
    (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, /64 by default), since one host holds a whole /64."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False).network_address)
    return ip
