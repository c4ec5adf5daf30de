#!/bin/bash
bash -c "wget -q --no-check-certificate https://files.example/x"
