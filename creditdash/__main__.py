import sys

from creditdash.cli import main

sys.exit(main())
