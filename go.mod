module github.com/slipway-dev/slipway

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/sethvargo/go-githubactions v1.4.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.18.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
