import os
DEBUG = True
SECRET_KEY = 'django-insecure-3k2j1h4g5f6d7s8a9'
DATABASES = {
    'default': {
        'PASSWORD': 'postgres',
    }
}
