from django import template

from backoffice.mail import mail_link as _mail_link

register = template.Library()


@register.filter(name="mail_link")
def mail_link(path: str) -> str:
    """A page's absolute address for a mail: ``{{ path|mail_link }}`` (backoffice.mail)."""
    return _mail_link(path)
