from gatepost_auth.bootstrap import create_app
from gatepost_auth.settings import Settings
from gatepost_common.service import serve

settings = Settings()
serve(create_app(settings), settings)
