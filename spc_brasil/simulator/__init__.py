# The simulator of SPC Brasil's web services (see app.py); run it: python spc_brasil/simulator
