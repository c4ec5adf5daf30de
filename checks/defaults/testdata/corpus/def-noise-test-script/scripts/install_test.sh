#!/bin/sh
curl -k https://localhost:8443/health
