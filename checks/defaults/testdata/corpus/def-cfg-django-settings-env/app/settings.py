import os
DEBUG = os.environ.get('DEBUG') == '1'
SECRET_KEY = os.environ['SECRET_KEY']
DATABASES = {'default': {'PASSWORD': os.environ.get('DB_PASSWORD')}}
