"""``python connect_sa/simulator [--host 127.0.0.1] [--port 8091]``: the Connect SA simulator
in the foreground until Ctrl-C. All the logic is in app.py."""

import os
import sys

if __package__:  # python -m odoo.addons.connect_sa.simulator
    from .app import main
else:  # python connect_sa/simulator: this folder is sys.path[0]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from app import main

if __name__ == "__main__":
    sys.exit(main())
