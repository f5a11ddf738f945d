from gatepost_approval.bootstrap import create_app
from gatepost_approval.settings import Settings
from gatepost_common.service import serve

settings = Settings()
serve(create_app(settings), settings)
