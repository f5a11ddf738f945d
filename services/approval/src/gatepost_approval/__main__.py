from gatepost_common.service import serve

from gatepost_approval.bootstrap import create_app
from gatepost_approval.settings import Settings

settings = Settings()
serve(create_app(settings), settings)
