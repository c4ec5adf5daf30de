package client

// Never set InsecureSkipVerify: true here.
const doc = "InsecureSkipVerify: true"
