from gatepost_common.service import serve
from gatepost_media.bootstrap import create_app
from gatepost_media.settings import Settings

settings = Settings()
serve(create_app(settings), settings)
