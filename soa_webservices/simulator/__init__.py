# The SOA WebServices simulator (see app.py); not imported by the addon itself.
