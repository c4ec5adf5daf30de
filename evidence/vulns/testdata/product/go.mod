module example.com/gateway

go 1.22

require golang.org/x/text v0.3.2
