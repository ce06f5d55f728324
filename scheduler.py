"""The design card's scheduler entry point: ``python scheduler.py [OPTIONS]`` is ``xunjian schedule``.

The scheduler itself is ``xunjian/scheduler.py`` (installed as ``xunjian.scheduler``, inside the
one name xunjian puts into site-packages); this file only starts it from a checkout.
"""

import sys

from xunjian.cli import main

if __name__ == "__main__":
    main(["schedule", *sys.argv[1:]], prog_name="scheduler.py")
