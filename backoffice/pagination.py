"""Bounded pagination for list pages: no COUNT(*) over big tables, and no page number that
overflows the database's OFFSET."""

MAX_PAGE = 10_000


def page_number_from(request, *, param: str = "page") -> int:
    """The requested page, 1 to MAX_PAGE; anything unreadable is page 1."""
    try:
        number = int(request.GET.get(param, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(1, number), MAX_PAGE)
