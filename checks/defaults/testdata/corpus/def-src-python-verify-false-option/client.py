import requests


def fetch(url, args):
    session = requests.Session()
    if args.insecure:
        session.verify = False
    if not args.skip_verify:
        return session.get(url)
    return requests.get(
        url,
        verify=False,
    )
