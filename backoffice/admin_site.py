from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from backoffice.roles import user_may_use_admin
from backoffice.two_factor.selectors import second_factor_satisfied


class BackofficeAdminSite(admin.AdminSite):
    site_header = _("Backoffice administration")
    site_title = _("Backoffice")
    index_title = _("Manage the back office")

    def has_permission(self, request) -> bool:
        # Also refused until the second factor is passed (SecondFactorMiddleware redirects
        # first; this holds even where the middleware does not run).
        return user_may_use_admin(request.user) and second_factor_satisfied(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail to look at, never to add, change or delete (posted and paid
    records; their corrections go through services)."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Lines shown with their parent, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EstimatedCountPaginator(Paginator):
    """An admin list of a large table: unfiltered, the count is PostgreSQL's estimate of the
    table's rows (``pg_class.reltuples``, kept by autovacuum) once that passes
    ``ESTIMATE_FROM`` rows, instead of a ``COUNT(*)`` that reads the whole table on every page;
    below that (or never analysed), an exact count in the same statement. A filtered or
    searched list is counted exactly (its own rows). One query either way."""

    ESTIMATE_FROM = 50_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or query.where or query.distinct:
            return super().count
        table = connections[self.object_list.db].ops.quote_name(
            self.object_list.model._meta.db_table
        )
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(
                f"SELECT CASE WHEN c.reltuples >= %s THEN c.reltuples::bigint "  # noqa: S608
                f"ELSE (SELECT COUNT(*) FROM {table}) END "
                f"FROM pg_class c WHERE c.oid = %s::regclass",
                [self.ESTIMATE_FROM, self.object_list.model._meta.db_table],
            )
            return cursor.fetchone()[0]
