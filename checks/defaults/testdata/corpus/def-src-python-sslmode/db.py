DSN = "host=db dbname=app sslmode=disable"
