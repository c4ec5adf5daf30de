app.listen(6379);
