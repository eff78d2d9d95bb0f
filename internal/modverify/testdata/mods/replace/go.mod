module example.com/app

go 1.22

require (
	example.com/dep v1.0.0
	example.com/local v0.0.0
)

require example.com/lib v1.0.0 // indirect

replace example.com/local => ./localdep

replace example.com/lib v1.0.0 => example.com/lib v1.2.0

exclude example.com/lib v1.1.0

// v0.9.0 was tagged from the wrong branch.
retract v0.9.0
