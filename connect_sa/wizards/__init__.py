from . import connect_sa_password_wizard
