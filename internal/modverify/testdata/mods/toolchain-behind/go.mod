module example.com/tc

go 1.22.3

toolchain go1.22.1
