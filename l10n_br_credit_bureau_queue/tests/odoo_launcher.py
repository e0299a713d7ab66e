"""``python odoo_launcher.py server ...``: Odoo's command line, as ``odoo-bin`` is. With
``python -m odoo`` instead, the prefork server could not start its gevent process (it runs
``sys.argv[0]``, then ``odoo/__main__.py``, as a script)."""

from odoo.cli.command import main

if __name__ == "__main__":
    main()
