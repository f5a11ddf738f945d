from gatepost_common.service import serve
from gatepost_publisher.bootstrap import create_app
from gatepost_publisher.settings import Settings

settings = Settings()
serve(create_app(settings), settings)
