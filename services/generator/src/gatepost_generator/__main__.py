from gatepost_common.service import serve
from gatepost_generator.bootstrap import create_app
from gatepost_generator.settings import Settings

settings = Settings()
serve(create_app(settings), settings)
