print('(sslmode=disable) is insecure')
