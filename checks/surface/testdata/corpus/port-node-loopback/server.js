server.listen(6379, '127.0.0.1');
