module example.com/app

go 1.22

require (
	example.com/lib v1.1.0
	example.com/old v1.0.0
)
