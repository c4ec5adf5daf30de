#!/bin/sh
set -e
curl -k -o /tmp/a https://example.com/a
