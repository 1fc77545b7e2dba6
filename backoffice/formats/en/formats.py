"""English dates as en-GB writes them (25/10/2006), with the 24-hour clock a back office
reads at a glance; German keeps Django's own (25.10.2006 14:30). Django's ``en`` formats would
write US dates (10/25/2006), which readers outside the US misread."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '25 Oct 2006, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/10/2006 14:30'
