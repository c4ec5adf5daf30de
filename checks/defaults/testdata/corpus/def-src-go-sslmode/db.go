package db

const dsn = "postgres://db:5432/app?sslmode=disable"
