// Deprecated: use example.com/lib instead.
module example.com/old

go 1.21
