from django.utils.translation import get_language


def pick(zh: str, en: str) -> str:
    """Records keep a Chinese and an English name; show the one matching the reader's language."""
    if (get_language() or "").startswith("zh") or not en:
        return zh
    return en
