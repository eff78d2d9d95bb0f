module example.com/hello

go 1.24.0

require (
	github.com/spf13/pflag v1.0.10
	golang.org/x/text v0.31.0
)
