module example.com/lib

go 1.21

// v1.1.0 wrote corrupt files.
retract v1.1.0
