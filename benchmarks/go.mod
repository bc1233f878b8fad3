module github.com/cowkit/cowkit/benchmarks

go 1.24

require github.com/cowkit/cowkit v0.0.0

require (
	github.com/benbjohnson/immutable v0.4.3
	github.com/google/btree v1.1.3
	github.com/tidwall/btree v1.8.2
)

require golang.org/x/exp v0.0.0-20220518171630-0b5c67f07fdf // indirect

replace github.com/cowkit/cowkit => ../
