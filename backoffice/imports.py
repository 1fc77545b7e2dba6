"""Import rules every app's django-import-export resource follows.

A file is validated as a whole: one bad row and nothing is written. django-import-export rolls
back on errors but, by default, not on validation errors; this base class makes it do both.
"""

from import_export import resources


class WholeFileModelResource(resources.ModelResource):
    """Validate every row (``full_clean``) and write nothing when any row is invalid."""

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
