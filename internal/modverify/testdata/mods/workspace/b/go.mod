module example.com/ws/b

go 1.22

require example.com/lib v1.1.0
