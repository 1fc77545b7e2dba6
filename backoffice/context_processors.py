from functools import cache

from backoffice.registry import home_links_for
from backoffice.roles import role_labels, user_may_use_admin
from backoffice.selectors import notification_unread_count


def navigation(request):
    """Header data: navigation by role and the unread count. Lazy so pages that do not
    render the header pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def nav_links():
        return [link for link in home_links_for(user) if link.in_nav]

    return {
        "nav_links": nav_links,
        "unread_count": cache(lambda: notification_unread_count(user=user)),
        "may_use_admin": cache(lambda: user_may_use_admin(user)),
        "my_roles": cache(lambda: role_labels(user)),
    }
