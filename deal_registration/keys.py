"""Match keys of an end customer: the same company written differently must give the same key.

Names use the recruitment key (`partners.recruitment.names.normalize_name`: NFKC, case,
punctuation, legal-form suffixes and region words removed). Domains drop the scheme, "www." and
the path; public mail domains give no key, since thousands of unrelated people share qq.com.
Phones keep their digits without the +86 / 0086 country prefix.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from partners.recruitment.names import normalize_name

__all__ = ["domain_key", "email_domain_key", "normalize_name", "phone_key"]

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "139.com",
        "189.cn",
        "wo.cn",
        "aliyun.com",
        "tom.com",
        "21cn.com",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.com.cn",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "yandex.com",
    }
)
_PHONE_PREFIX = re.compile(r"^(?:0086|86)(?=1\d{10}$|0?\d{9,11}$)")


def domain_key(website: str) -> str:
    """ "https://WWW.Example.com.cn/about" → "example.com.cn"; "" for no or a public domain."""
    text = (website or "").strip().lower()
    if not text:
        return ""
    if "@" in text:
        return email_domain_key(text)
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.").rstrip(".")
    return "" if host in PUBLIC_MAIL_DOMAINS or "." not in host else host


def email_domain_key(email: str) -> str:
    """ "Li.Lei@Example.COM" → "example.com"; "" for qq.com, gmail.com and the like."""
    _local, _at, domain = (email or "").strip().lower().rpartition("@")
    domain = domain.rstrip(".")
    return "" if not domain or domain in PUBLIC_MAIL_DOMAINS or "." not in domain else domain


def phone_key(phone: str) -> str:
    """ "+86 (755) 8888-6666" → "075588886666"; "" for fewer than 7 digits."""
    digits = re.sub(r"\D", "", phone or "")
    digits = _PHONE_PREFIX.sub("", digits)
    mobile = len(digits) == 11 and digits.startswith("1")
    if 9 <= len(digits) <= 11 and not mobile and not digits.startswith("0"):
        digits = "0" + digits  # "+86 755 8888 6666" is 0755-8888 6666 without the trunk 0
    return digits if len(digits) >= 7 else ""
