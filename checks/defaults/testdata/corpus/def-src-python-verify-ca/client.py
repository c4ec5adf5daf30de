import requests

# requests.get(url, verify=False)
r = requests.get(url, verify="/etc/ssl/ca.pem")
r = requests.get(url, verify=True)
