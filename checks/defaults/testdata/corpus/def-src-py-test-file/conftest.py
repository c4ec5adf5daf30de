requests.get(u, verify=False)
