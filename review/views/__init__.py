"""The review app's pages, one Flask blueprint per feature (``create_app`` registers them all).

* ``auth`` — sign in, sign out, the user list (admin)
* ``sites`` — the site list, a site's page, a finding and its verdict
* ``queue`` — the review queue, one pending finding after another
* ``manual`` — findings a reviewer adds by hand, and the screenshots (blobs) every page shows
* ``downloads`` — the card (JSON, XLSX), the per-site report and the statistics
* ``recheck`` — 复查: re-check one finding now and show the result on its page
"""

from .auth import bp as auth
from .downloads import bp as downloads
from .manual import bp as manual
from .queue import bp as queue
from .recheck import bp as recheck
from .sites import bp as sites

BLUEPRINTS = (auth, sites, queue, manual, downloads, recheck)
