module example.com/ws/a

go 1.22

require example.com/lib v1.0.0
